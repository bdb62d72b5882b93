"""CUDA C sources of the row-wise kernels (one block of ``BLOCK`` threads per row).

``T`` is replaced by ``float`` or ``double`` when a module is compiled for a dtype.
"""

from __future__ import annotations

BLOCK = 256

ROW_KERNELS = r"""
#define BLOCK 256
#define EMBER_INF ((T)__int_as_float(0x7f800000))

// float and double versions of the math used below, spelled out (no reliance on overloads)
__device__ __forceinline__ float e_exp(float v) { return expf(v); }
__device__ __forceinline__ double e_exp(double v) { return exp(v); }
__device__ __forceinline__ float e_log(float v) { return logf(v); }
__device__ __forceinline__ double e_log(double v) { return log(v); }
__device__ __forceinline__ float e_sqrt(float v) { return sqrtf(v); }
__device__ __forceinline__ double e_sqrt(double v) { return sqrt(v); }

__device__ __forceinline__ T block_sum(T v, T* buf) {
    buf[threadIdx.x] = v;
    __syncthreads();
    for (int s = BLOCK / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) buf[threadIdx.x] += buf[threadIdx.x + s];
        __syncthreads();
    }
    T r = buf[0];
    __syncthreads();
    return r;
}

__device__ __forceinline__ T block_max(T v, T* buf) {
    buf[threadIdx.x] = v;
    __syncthreads();
    for (int s = BLOCK / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) {
            T o = buf[threadIdx.x + s];
            if (o > buf[threadIdx.x]) buf[threadIdx.x] = o;
        }
        __syncthreads();
    }
    T r = buf[0];
    __syncthreads();
    return r;
}

extern "C" __global__ void softmax_fwd(const T* __restrict__ x, T* __restrict__ y,
                                       const long long cols, const int log_mode) {
    __shared__ T buf[BLOCK];
    const T* xr = x + (long long)blockIdx.x * cols;
    T* yr = y + (long long)blockIdx.x * cols;
    T m = -EMBER_INF;
    for (long long j = threadIdx.x; j < cols; j += BLOCK) { T v = xr[j]; if (v > m) m = v; }
    m = block_max(m, buf);
    T s = 0;
    for (long long j = threadIdx.x; j < cols; j += BLOCK) s += e_exp(xr[j] - m);
    s = block_sum(s, buf);
    if (log_mode) {
        T ls = e_log(s);
        for (long long j = threadIdx.x; j < cols; j += BLOCK) yr[j] = xr[j] - m - ls;
    } else {
        T inv = (T)1 / s;
        for (long long j = threadIdx.x; j < cols; j += BLOCK) yr[j] = e_exp(xr[j] - m) * inv;
    }
}

extern "C" __global__ void softmax_bwd(const T* __restrict__ g, const T* __restrict__ y,
                                       T* __restrict__ gx, const long long cols,
                                       const int log_mode) {
    __shared__ T buf[BLOCK];
    const long long off = (long long)blockIdx.x * cols;
    T acc = 0;
    for (long long j = threadIdx.x; j < cols; j += BLOCK)
        acc += log_mode ? g[off + j] : g[off + j] * y[off + j];
    acc = block_sum(acc, buf);
    for (long long j = threadIdx.x; j < cols; j += BLOCK) {
        if (log_mode) gx[off + j] = g[off + j] - e_exp(y[off + j]) * acc;
        else gx[off + j] = y[off + j] * (g[off + j] - acc);
    }
}

extern "C" __global__ void ce_fwd(const T* __restrict__ x, const long long* __restrict__ target,
                                  const T* __restrict__ weight, T* __restrict__ loss,
                                  T* __restrict__ lse_out, T* __restrict__ wrow_out,
                                  const long long C, const long long ignore_index,
                                  const T eps, const T wsum, const int has_weight) {
    __shared__ T buf[BLOCK];
    const long long row = blockIdx.x;
    const T* xr = x + row * C;
    T m = -EMBER_INF;
    for (long long j = threadIdx.x; j < C; j += BLOCK) { T v = xr[j]; if (v > m) m = v; }
    m = block_max(m, buf);
    T s = 0;
    for (long long j = threadIdx.x; j < C; j += BLOCK) s += e_exp(xr[j] - m);
    s = block_sum(s, buf);
    const T lse = m + e_log(s);
    T xs = 0;
    if (eps > 0) {
        for (long long j = threadIdx.x; j < C; j += BLOCK)
            xs += (has_weight ? weight[j] : (T)1) * xr[j];
        xs = block_sum(xs, buf);
    }
    if (threadIdx.x == 0) {
        const long long t = target[row];
        const bool valid = t != ignore_index;
        T wt = 0, l = 0;
        if (valid) {
            wt = has_weight ? weight[t] : (T)1;
            l = wt * (lse - xr[t]);
        }
        if (eps > 0) {
            T smooth = valid ? (wsum * lse - xs) : (T)0;
            l = l * ((T)1 - eps) + smooth * (eps / (T)C);
        }
        loss[row] = l;
        lse_out[row] = lse;
        wrow_out[row] = wt;
    }
}

extern "C" __global__ void norm_fwd(const T* __restrict__ x, const T* __restrict__ w,
                                    const T* __restrict__ b, T* __restrict__ y,
                                    T* __restrict__ mean_out, T* __restrict__ rstd_out,
                                    const long long n, const T eps, const int has_w,
                                    const int has_b, const int rms) {
    __shared__ T buf[BLOCK];
    const long long row = blockIdx.x;
    const T* xr = x + row * n;
    T* yr = y + row * n;
    T mean = 0;
    if (!rms) {
        T s = 0;
        for (long long j = threadIdx.x; j < n; j += BLOCK) s += xr[j];
        mean = block_sum(s, buf) / (T)n;
    }
    T v = 0;
    for (long long j = threadIdx.x; j < n; j += BLOCK) { T d = xr[j] - mean; v += d * d; }
    const T rstd = (T)1 / e_sqrt(block_sum(v, buf) / (T)n + eps);
    for (long long j = threadIdx.x; j < n; j += BLOCK) {
        T o = (xr[j] - mean) * rstd;
        if (has_w) o *= w[j];
        if (has_b) o += b[j];
        yr[j] = o;
    }
    if (threadIdx.x == 0) {
        if (!rms) mean_out[row] = mean;
        rstd_out[row] = rstd;
    }
}

extern "C" __global__ void norm_bwd(const T* __restrict__ g, const T* __restrict__ x,
                                    const T* __restrict__ w, const T* __restrict__ mean,
                                    const T* __restrict__ rstd, T* __restrict__ gx,
                                    const long long n, const int has_w, const int rms) {
    __shared__ T buf[BLOCK];
    const long long row = blockIdx.x;
    const long long off = row * n;
    const T m = rms ? (T)0 : mean[row];
    const T r = rstd[row];
    T s1 = 0, s2 = 0;
    for (long long j = threadIdx.x; j < n; j += BLOCK) {
        T gh = has_w ? g[off + j] * w[j] : g[off + j];
        T xh = (x[off + j] - m) * r;
        s1 += gh;
        s2 += gh * xh;
    }
    s1 = rms ? (T)0 : block_sum(s1, buf) / (T)n;
    s2 = block_sum(s2, buf) / (T)n;
    for (long long j = threadIdx.x; j < n; j += BLOCK) {
        T gh = has_w ? g[off + j] * w[j] : g[off + j];
        T xh = (x[off + j] - m) * r;
        gx[off + j] = (gh - s1 - xh * s2) * r;
    }
}

extern "C" __global__ void unscale_sum(T* __restrict__ g, const long long n, const T inv,
                                       double* __restrict__ total) {
    __shared__ double dbuf[BLOCK];
    double acc = 0;
    for (long long j = (long long)blockIdx.x * BLOCK + threadIdx.x; j < n;
         j += (long long)gridDim.x * BLOCK) {
        T v = g[j] * inv;
        g[j] = v;
        acc += (double)v;
    }
    dbuf[threadIdx.x] = acc;
    __syncthreads();
    for (int s = BLOCK / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) dbuf[threadIdx.x] += dbuf[threadIdx.x + s];
        __syncthreads();
    }
    if (threadIdx.x == 0) atomicAdd(total, dbuf[0]);
}
"""
