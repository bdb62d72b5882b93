"""Tensor printing against PyTorch 2.13's own output (strings recorded from torch, with
``torch.`` replaced by ``ember.``)."""

# Recorded PyTorch strings are kept whole, and match= patterns are written plainly:
# ruff: noqa: E501

from __future__ import annotations

import pytest

import ember


@pytest.fixture(autouse=True)
def _default_printoptions():
    ember.set_printoptions(profile="default")
    yield
    ember.set_printoptions(profile="default")


def _build(expr: str):
    return eval(expr, {"ember": ember})


# (expression, repr recorded from PyTorch)
DEFAULT_CASES = [
    ("ember.tensor([1, 2, 3])", "tensor([1, 2, 3])"),
    ("ember.tensor([-1, 20, 300])", "tensor([ -1,  20, 300])"),
    ("ember.tensor([1.0, 2.0, 3.0])", "tensor([1., 2., 3.])"),
    ("ember.tensor([1.5, 2.25, -3.0])", "tensor([ 1.5000,  2.2500, -3.0000])"),
    ("ember.tensor([0.1, 0.25])", "tensor([0.1000, 0.2500])"),
    ("ember.tensor([1e-5, 1.0])", "tensor([1.0000e-05, 1.0000e+00])"),
    ("ember.tensor([1e10, 1.0])", "tensor([1.0000e+10, 1.0000e+00])"),
    ("ember.tensor([1e8, 1.0])", "tensor([1.0000e+08, 1.0000e+00])"),
    ("ember.tensor([1e-5, 2e-5])", "tensor([1.0000e-05, 2.0000e-05])"),
    ("ember.tensor([123456.789])", "tensor([123456.7891])"),
    ("ember.tensor([1000.0, 1.0])", "tensor([1000.,    1.])"),
    ("ember.tensor([1001.0, 1.0])", "tensor([1.0010e+03, 1.0000e+00])"),
    ("ember.tensor([1000.5, 1.0])", "tensor([1.0005e+03, 1.0000e+00])"),
    ("ember.tensor([0.0001, 1.0])", "tensor([1.0000e-04, 1.0000e+00])"),
    ("ember.tensor([0.0001, 0.1])", "tensor([1.0000e-04, 1.0000e-01])"),
    ("ember.tensor([-0.0, 0.0])", "tensor([-0., 0.])"),
    ("ember.tensor([0.0, 0.0])", "tensor([0., 0.])"),
    ("ember.tensor([float('nan'), 1.0])", "tensor([nan, 1.])"),
    ("ember.tensor([float('nan'), 1.5])", "tensor([   nan, 1.5000])"),
    ("ember.tensor([float('inf'), -float('inf'), 1.0])", "tensor([inf, -inf, 1.])"),
    ("ember.tensor([float('inf'), 1.5])", "tensor([   inf, 1.5000])"),
    ("ember.tensor([float('nan')])", "tensor([nan])"),
    ("ember.tensor([float('inf')])", "tensor([inf])"),
    ("ember.tensor([1e-20, 1e20])", "tensor([1.0000e-20, 1.0000e+20])"),
    ("ember.tensor([True, False])", "tensor([ True, False])"),
    ("ember.tensor(True)", "tensor(True)"),
    ("ember.tensor(3)", "tensor(3)"),
    ("ember.tensor(3.5)", "tensor(3.5000)"),
    ("ember.tensor(-2.0)", "tensor(-2.)"),
    ("ember.tensor(1e-8)", "tensor(1.0000e-08)"),
    ("ember.tensor(float('nan'))", "tensor(nan)"),
    ("ember.tensor([1+2j, 3-4j])", "tensor([1.+2.j, 3.-4.j])"),
    ("ember.tensor([1.5+2j, -3-4.25j])", "tensor([ 1.5000+2.0000j, -3.0000-4.2500j])"),
    ("ember.tensor(1+2j)", "tensor(1.+2.j)"),
    ("ember.tensor([1e-5+1j, 1.0+0j])", "tensor([1.0000e-05+1.j, 1.0000e+00+0.j])"),
    ("ember.tensor([1.0, 2.0], dtype=ember.float64)", "tensor([1., 2.], dtype=ember.float64)"),
    (
        "ember.tensor([1.5, 2.0], dtype=ember.float64)",
        "tensor([1.5000, 2.0000], dtype=ember.float64)",
    ),
    (
        "ember.tensor([1.5, 2.0], dtype=ember.float16)",
        "tensor([1.5000, 2.0000], dtype=ember.float16)",
    ),
    ("ember.tensor([1, 2], dtype=ember.int32)", "tensor([1, 2], dtype=ember.int32)"),
    ("ember.tensor([1, 2], dtype=ember.uint8)", "tensor([1, 2], dtype=ember.uint8)"),
    ("ember.tensor([1, 2], dtype=ember.int8)", "tensor([1, 2], dtype=ember.int8)"),
    ("ember.tensor([1+1j], dtype=ember.complex128)", "tensor([1.+1.j], dtype=ember.complex128)"),
    ("ember.tensor(2.5, dtype=ember.float64)", "tensor(2.5000, dtype=ember.float64)"),
    ("ember.tensor([])", "tensor([])"),
    ("ember.tensor([], dtype=ember.int64)", "tensor([], dtype=ember.int64)"),
    ("ember.zeros(0, 3)", "tensor([], size=(0, 3))"),
    ("ember.zeros(2, 0)", "tensor([], size=(2, 0))"),
    ("ember.zeros(0, 3, dtype=ember.float64)", "tensor([], size=(0, 3), dtype=ember.float64)"),
    ("ember.ones(2, 3)", "tensor([[1., 1., 1.],\n        [1., 1., 1.]])"),
    ("ember.arange(6).reshape(2, 3)", "tensor([[0, 1, 2],\n        [3, 4, 5]])"),
    (
        "ember.arange(24).reshape(2, 3, 4)",
        "tensor([[[ 0,  1,  2,  3],\n         [ 4,  5,  6,  7],\n         [ 8,  9, 10, 11]],\n\n        [[12, 13, 14, 15],\n         [16, 17, 18, 19],\n         [20, 21, 22, 23]]])",
    ),
    (
        "ember.arange(24.).reshape(2, 3, 4) / 7",
        "tensor([[[0.0000, 0.1429, 0.2857, 0.4286],\n         [0.5714, 0.7143, 0.8571, 1.0000],\n         [1.1429, 1.2857, 1.4286, 1.5714]],\n\n        [[1.7143, 1.8571, 2.0000, 2.1429],\n         [2.2857, 2.4286, 2.5714, 2.7143],\n         [2.8571, 3.0000, 3.1429, 3.2857]]])",
    ),
    (
        "ember.arange(16).reshape(2, 2, 2, 2)",
        "tensor([[[[ 0,  1],\n          [ 2,  3]],\n\n         [[ 4,  5],\n          [ 6,  7]]],\n\n\n        [[[ 8,  9],\n          [10, 11]],\n\n         [[12, 13],\n          [14, 15]]]])",
    ),
    ("ember.arange(2000)", "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])"),
    (
        "ember.arange(2000.)",
        "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n        1.9990e+03])",
    ),
    ("ember.arange(1001)", "tensor([   0,    1,    2,  ...,  998,  999, 1000])"),
    (
        "ember.arange(1000)",
        "tensor([  0,   1,   2,   3,   4,   5,   6,   7,   8,   9,  10,  11,  12,  13,\n         14,  15,  16,  17,  18,  19,  20,  21,  22,  23,  24,  25,  26,  27,\n         28,  29,  30,  31,  32,  33,  34,  35,  36,  37,  38,  39,  40,  41,\n         42,  43,  44,  45,  46,  47,  48,  49,  50,  51,  52,  53,  54,  55,\n         56,  57,  58,  59,  60,  61,  62,  63,  64,  65,  66,  67,  68,  69,\n         70,  71,  72,  73,  74,  75,  76,  77,  78,  79,  80,  81,  82,  83,\n         84,  85,  86,  87,  88,  89,  90,  91,  92,  93,  94,  95,  96,  97,\n         98,  99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111,\n        112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125,\n        126, 127, 128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 138, 139,\n        140, 141, 142, 143, 144, 145, 146, 147, 148, 149, 150, 151, 152, 153,\n        154, 155, 156, 157, 158, 159, 160, 161, 162, 163, 164, 165, 166, 167,\n        168, 169, 170, 171, 172, 173, 174, 175, 176, 177, 178, 179, 180, 181,\n        182, 183, 184, 185, 186, 187, 188, 189, 190, 191, 192, 193, 194, 195,\n        196, 197, 198, 199, 200, 201, 202, 203, 204, 205, 206, 207, 208, 209,\n        210, 211, 212, 213, 214, 215, 216, 217, 218, 219, 220, 221, 222, 223,\n        224, 225, 226, 227, 228, 229, 230, 231, 232, 233, 234, 235, 236, 237,\n        238, 239, 240, 241, 242, 243, 244, 245, 246, 247, 248, 249, 250, 251,\n        252, 253, 254, 255, 256, 257, 258, 259, 260, 261, 262, 263, 264, 265,\n        266, 267, 268, 269, 270, 271, 272, 273, 274, 275, 276, 277, 278, 279,\n        280, 281, 282, 283, 284, 285, 286, 287, 288, 289, 290, 291, 292, 293,\n        294, 295, 296, 297, 298, 299, 300, 301, 302, 303, 304, 305, 306, 307,\n        308, 309, 310, 311, 312, 313, 314, 315, 316, 317, 318, 319, 320, 321,\n        322, 323, 324, 325, 326, 327, 328, 329, 330, 331, 332, 333, 334, 335,\n        336, 337, 338, 339, 340, 341, 342, 343, 344, 345, 346, 347, 348, 349,\n        350, 351, 352, 353, 354, 355, 356, 357, 358, 359, 360, 361, 362, 363,\n        364, 365, 366, 367, 368, 369, 370, 371, 372, 373, 374, 375, 376, 377,\n        378, 379, 380, 381, 382, 383, 384, 385, 386, 387, 388, 389, 390, 391,\n        392, 393, 394, 395, 396, 397, 398, 399, 400, 401, 402, 403, 404, 405,\n        406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 419,\n        420, 421, 422, 423, 424, 425, 426, 427, 428, 429, 430, 431, 432, 433,\n        434, 435, 436, 437, 438, 439, 440, 441, 442, 443, 444, 445, 446, 447,\n        448, 449, 450, 451, 452, 453, 454, 455, 456, 457, 458, 459, 460, 461,\n        462, 463, 464, 465, 466, 467, 468, 469, 470, 471, 472, 473, 474, 475,\n        476, 477, 478, 479, 480, 481, 482, 483, 484, 485, 486, 487, 488, 489,\n        490, 491, 492, 493, 494, 495, 496, 497, 498, 499, 500, 501, 502, 503,\n        504, 505, 506, 507, 508, 509, 510, 511, 512, 513, 514, 515, 516, 517,\n        518, 519, 520, 521, 522, 523, 524, 525, 526, 527, 528, 529, 530, 531,\n        532, 533, 534, 535, 536, 537, 538, 539, 540, 541, 542, 543, 544, 545,\n        546, 547, 548, 549, 550, 551, 552, 553, 554, 555, 556, 557, 558, 559,\n        560, 561, 562, 563, 564, 565, 566, 567, 568, 569, 570, 571, 572, 573,\n        574, 575, 576, 577, 578, 579, 580, 581, 582, 583, 584, 585, 586, 587,\n        588, 589, 590, 591, 592, 593, 594, 595, 596, 597, 598, 599, 600, 601,\n        602, 603, 604, 605, 606, 607, 608, 609, 610, 611, 612, 613, 614, 615,\n        616, 617, 618, 619, 620, 621, 622, 623, 624, 625, 626, 627, 628, 629,\n        630, 631, 632, 633, 634, 635, 636, 637, 638, 639, 640, 641, 642, 643,\n        644, 645, 646, 647, 648, 649, 650, 651, 652, 653, 654, 655, 656, 657,\n        658, 659, 660, 661, 662, 663, 664, 665, 666, 667, 668, 669, 670, 671,\n        672, 673, 674, 675, 676, 677, 678, 679, 680, 681, 682, 683, 684, 685,\n        686, 687, 688, 689, 690, 691, 692, 693, 694, 695, 696, 697, 698, 699,\n        700, 701, 702, 703, 704, 705, 706, 707, 708, 709, 710, 711, 712, 713,\n        714, 715, 716, 717, 718, 719, 720, 721, 722, 723, 724, 725, 726, 727,\n        728, 729, 730, 731, 732, 733, 734, 735, 736, 737, 738, 739, 740, 741,\n        742, 743, 744, 745, 746, 747, 748, 749, 750, 751, 752, 753, 754, 755,\n        756, 757, 758, 759, 760, 761, 762, 763, 764, 765, 766, 767, 768, 769,\n        770, 771, 772, 773, 774, 775, 776, 777, 778, 779, 780, 781, 782, 783,\n        784, 785, 786, 787, 788, 789, 790, 791, 792, 793, 794, 795, 796, 797,\n        798, 799, 800, 801, 802, 803, 804, 805, 806, 807, 808, 809, 810, 811,\n        812, 813, 814, 815, 816, 817, 818, 819, 820, 821, 822, 823, 824, 825,\n        826, 827, 828, 829, 830, 831, 832, 833, 834, 835, 836, 837, 838, 839,\n        840, 841, 842, 843, 844, 845, 846, 847, 848, 849, 850, 851, 852, 853,\n        854, 855, 856, 857, 858, 859, 860, 861, 862, 863, 864, 865, 866, 867,\n        868, 869, 870, 871, 872, 873, 874, 875, 876, 877, 878, 879, 880, 881,\n        882, 883, 884, 885, 886, 887, 888, 889, 890, 891, 892, 893, 894, 895,\n        896, 897, 898, 899, 900, 901, 902, 903, 904, 905, 906, 907, 908, 909,\n        910, 911, 912, 913, 914, 915, 916, 917, 918, 919, 920, 921, 922, 923,\n        924, 925, 926, 927, 928, 929, 930, 931, 932, 933, 934, 935, 936, 937,\n        938, 939, 940, 941, 942, 943, 944, 945, 946, 947, 948, 949, 950, 951,\n        952, 953, 954, 955, 956, 957, 958, 959, 960, 961, 962, 963, 964, 965,\n        966, 967, 968, 969, 970, 971, 972, 973, 974, 975, 976, 977, 978, 979,\n        980, 981, 982, 983, 984, 985, 986, 987, 988, 989, 990, 991, 992, 993,\n        994, 995, 996, 997, 998, 999])",
    ),
    (
        "ember.arange(40.)",
        "tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n        14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25., 26., 27.,\n        28., 29., 30., 31., 32., 33., 34., 35., 36., 37., 38., 39.])",
    ),
    (
        "ember.arange(30.) / 3",
        "tensor([0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667, 2.0000, 2.3333, 2.6667,\n        3.0000, 3.3333, 3.6667, 4.0000, 4.3333, 4.6667, 5.0000, 5.3333, 5.6667,\n        6.0000, 6.3333, 6.6667, 7.0000, 7.3333, 7.6667, 8.0000, 8.3333, 8.6667,\n        9.0000, 9.3333, 9.6667])",
    ),
    (
        "ember.arange(100) * 1000",
        "tensor([    0,  1000,  2000,  3000,  4000,  5000,  6000,  7000,  8000,  9000,\n        10000, 11000, 12000, 13000, 14000, 15000, 16000, 17000, 18000, 19000,\n        20000, 21000, 22000, 23000, 24000, 25000, 26000, 27000, 28000, 29000,\n        30000, 31000, 32000, 33000, 34000, 35000, 36000, 37000, 38000, 39000,\n        40000, 41000, 42000, 43000, 44000, 45000, 46000, 47000, 48000, 49000,\n        50000, 51000, 52000, 53000, 54000, 55000, 56000, 57000, 58000, 59000,\n        60000, 61000, 62000, 63000, 64000, 65000, 66000, 67000, 68000, 69000,\n        70000, 71000, 72000, 73000, 74000, 75000, 76000, 77000, 78000, 79000,\n        80000, 81000, 82000, 83000, 84000, 85000, 86000, 87000, 88000, 89000,\n        90000, 91000, 92000, 93000, 94000, 95000, 96000, 97000, 98000, 99000])",
    ),
    (
        "ember.arange(3000).reshape(100, 30)",
        "tensor([[   0,    1,    2,  ...,   27,   28,   29],\n        [  30,   31,   32,  ...,   57,   58,   59],\n        [  60,   61,   62,  ...,   87,   88,   89],\n        ...,\n        [2910, 2911, 2912,  ..., 2937, 2938, 2939],\n        [2940, 2941, 2942,  ..., 2967, 2968, 2969],\n        [2970, 2971, 2972,  ..., 2997, 2998, 2999]])",
    ),
    (
        "ember.arange(3000.).reshape(30, 100)",
        "tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 9.7000e+01, 9.8000e+01,\n         9.9000e+01],\n        [1.0000e+02, 1.0100e+02, 1.0200e+02,  ..., 1.9700e+02, 1.9800e+02,\n         1.9900e+02],\n        [2.0000e+02, 2.0100e+02, 2.0200e+02,  ..., 2.9700e+02, 2.9800e+02,\n         2.9900e+02],\n        ...,\n        [2.7000e+03, 2.7010e+03, 2.7020e+03,  ..., 2.7970e+03, 2.7980e+03,\n         2.7990e+03],\n        [2.8000e+03, 2.8010e+03, 2.8020e+03,  ..., 2.8970e+03, 2.8980e+03,\n         2.8990e+03],\n        [2.9000e+03, 2.9010e+03, 2.9020e+03,  ..., 2.9970e+03, 2.9980e+03,\n         2.9990e+03]])",
    ),
    (
        "ember.arange(4000).reshape(10, 20, 20)",
        "tensor([[[   0,    1,    2,  ...,   17,   18,   19],\n         [  20,   21,   22,  ...,   37,   38,   39],\n         [  40,   41,   42,  ...,   57,   58,   59],\n         ...,\n         [ 340,  341,  342,  ...,  357,  358,  359],\n         [ 360,  361,  362,  ...,  377,  378,  379],\n         [ 380,  381,  382,  ...,  397,  398,  399]],\n\n        [[ 400,  401,  402,  ...,  417,  418,  419],\n         [ 420,  421,  422,  ...,  437,  438,  439],\n         [ 440,  441,  442,  ...,  457,  458,  459],\n         ...,\n         [ 740,  741,  742,  ...,  757,  758,  759],\n         [ 760,  761,  762,  ...,  777,  778,  779],\n         [ 780,  781,  782,  ...,  797,  798,  799]],\n\n        [[ 800,  801,  802,  ...,  817,  818,  819],\n         [ 820,  821,  822,  ...,  837,  838,  839],\n         [ 840,  841,  842,  ...,  857,  858,  859],\n         ...,\n         [1140, 1141, 1142,  ..., 1157, 1158, 1159],\n         [1160, 1161, 1162,  ..., 1177, 1178, 1179],\n         [1180, 1181, 1182,  ..., 1197, 1198, 1199]],\n\n        ...,\n\n        [[2800, 2801, 2802,  ..., 2817, 2818, 2819],\n         [2820, 2821, 2822,  ..., 2837, 2838, 2839],\n         [2840, 2841, 2842,  ..., 2857, 2858, 2859],\n         ...,\n         [3140, 3141, 3142,  ..., 3157, 3158, 3159],\n         [3160, 3161, 3162,  ..., 3177, 3178, 3179],\n         [3180, 3181, 3182,  ..., 3197, 3198, 3199]],\n\n        [[3200, 3201, 3202,  ..., 3217, 3218, 3219],\n         [3220, 3221, 3222,  ..., 3237, 3238, 3239],\n         [3240, 3241, 3242,  ..., 3257, 3258, 3259],\n         ...,\n         [3540, 3541, 3542,  ..., 3557, 3558, 3559],\n         [3560, 3561, 3562,  ..., 3577, 3578, 3579],\n         [3580, 3581, 3582,  ..., 3597, 3598, 3599]],\n\n        [[3600, 3601, 3602,  ..., 3617, 3618, 3619],\n         [3620, 3621, 3622,  ..., 3637, 3638, 3639],\n         [3640, 3641, 3642,  ..., 3657, 3658, 3659],\n         ...,\n         [3940, 3941, 3942,  ..., 3957, 3958, 3959],\n         [3960, 3961, 3962,  ..., 3977, 3978, 3979],\n         [3980, 3981, 3982,  ..., 3997, 3998, 3999]]])",
    ),
    (
        "ember.arange(60.).reshape(3, 20) * 1.5",
        "tensor([[ 0.0000,  1.5000,  3.0000,  4.5000,  6.0000,  7.5000,  9.0000, 10.5000,\n         12.0000, 13.5000, 15.0000, 16.5000, 18.0000, 19.5000, 21.0000, 22.5000,\n         24.0000, 25.5000, 27.0000, 28.5000],\n        [30.0000, 31.5000, 33.0000, 34.5000, 36.0000, 37.5000, 39.0000, 40.5000,\n         42.0000, 43.5000, 45.0000, 46.5000, 48.0000, 49.5000, 51.0000, 52.5000,\n         54.0000, 55.5000, 57.0000, 58.5000],\n        [60.0000, 61.5000, 63.0000, 64.5000, 66.0000, 67.5000, 69.0000, 70.5000,\n         72.0000, 73.5000, 75.0000, 76.5000, 78.0000, 79.5000, 81.0000, 82.5000,\n         84.0000, 85.5000, 87.0000, 88.5000]])",
    ),
    (
        "ember.tensor([[1.5, -2.0], [3.0, 4.25]])",
        "tensor([[ 1.5000, -2.0000],\n        [ 3.0000,  4.2500]])",
    ),
    (
        "ember.tensor([[1e-5, 1.0], [3.0, 4.0]])",
        "tensor([[1.0000e-05, 1.0000e+00],\n        [3.0000e+00, 4.0000e+00]])",
    ),
    (
        "ember.tensor([[True, False], [False, True]])",
        "tensor([[ True, False],\n        [False,  True]])",
    ),
    (
        "ember.tensor([[1+1j, 2], [3, 4-1j]])",
        "tensor([[1.+1.j, 2.+0.j],\n        [3.+0.j, 4.-1.j]])",
    ),
    ("ember.tensor([1.0, 2.0], requires_grad=True)", "tensor([1., 2.], requires_grad=True)"),
    (
        "ember.tensor([1.0, 2.0], dtype=ember.float64, requires_grad=True)",
        "tensor([1., 2.], dtype=ember.float64, requires_grad=True)",
    ),
    (
        "ember.tensor([1.0, 2.0], requires_grad=True) * 2",
        "tensor([2., 4.], grad_fn=<MulBackward0>)",
    ),
    (
        "ember.tensor([1.0, 2.0], requires_grad=True) + 1",
        "tensor([2., 3.], grad_fn=<AddBackward0>)",
    ),
    (
        "ember.tensor([1.0, 2.0], dtype=ember.float64, requires_grad=True) * 2",
        "tensor([2., 4.], dtype=ember.float64, grad_fn=<MulBackward0>)",
    ),
    ("ember.tensor(3.0, requires_grad=True)", "tensor(3., requires_grad=True)"),
    ("ember.zeros(0, requires_grad=True)", "tensor([], requires_grad=True)"),
    ("ember.zeros(2, 0, requires_grad=True)", "tensor([], size=(2, 0), requires_grad=True)"),
    ("ember.tensor([123456789.0, 1.0])", "tensor([1.2346e+08, 1.0000e+00])"),
    ("ember.tensor([12345678, 1])", "tensor([12345678,        1])"),
    ("ember.tensor([-1e-5, 1.0])", "tensor([-1.0000e-05,  1.0000e+00])"),
    ("ember.tensor([2.0**60, 1.0])", "tensor([1.1529e+18, 1.0000e+00])"),
    ("ember.tensor([0.5, 100.25, -1000.125])", "tensor([ 5.0000e-01,  1.0025e+02, -1.0001e+03])"),
    ("ember.tensor([65504.0], dtype=ember.float16)", "tensor([65504.], dtype=ember.float16)"),
]


@pytest.mark.parametrize(("expr", "expected"), DEFAULT_CASES)
def test_repr_matches_pytorch(expr, expected):
    assert repr(_build(expr)) == expected


# (print options, expression, repr recorded from PyTorch with those options)
OPTION_CASES = [
    ("dict(precision=2)", "ember.tensor([1.2345, 2.5])", "tensor([1.23, 2.50])"),
    ("dict(precision=6)", "ember.tensor([1.2345, 2.5])", "tensor([1.234500, 2.500000])"),
    ("dict(precision=2)", "ember.tensor([1e-5, 1.0])", "tensor([1.00e-05, 1.00e+00])"),
    ("dict(sci_mode=True)", "ember.tensor([1.5, 2.0])", "tensor([1.5000e+00, 2.0000e+00])"),
    ("dict(sci_mode=True)", "ember.tensor([1.0, 2.0])", "tensor([1.0000e+00, 2.0000e+00])"),
    ("dict(sci_mode=False)", "ember.tensor([1e-5, 1.0])", "tensor([0.0000, 1.0000])"),
    ("dict(sci_mode=False)", "ember.tensor([1e10, 1.0])", "tensor([10000000000.,           1.])"),
    ("dict(sci_mode=True)", "ember.tensor([0.0, float('nan')])", "tensor([0., nan])"),
    (
        "dict(sci_mode=True)",
        "ember.tensor([1.5, float('nan')])",
        "tensor([1.5000e+00,        nan])",
    ),
    ("dict(threshold=5)", "ember.arange(10)", "tensor([0, 1, 2,  ..., 7, 8, 9])"),
    ("dict(threshold=5)", "ember.arange(6)", "tensor([0, 1, 2, 3, 4, 5])"),
    ("dict(threshold=5)", "ember.arange(5)", "tensor([0, 1, 2, 3, 4])"),
    ("dict(threshold=5, edgeitems=1)", "ember.arange(10.)", "tensor([0.,  ..., 9.])"),
    (
        "dict(threshold=5, edgeitems=1)",
        "ember.arange(20).reshape(4, 5)",
        "tensor([[ 0,  ...,  4],\n        ...,\n        [15,  ..., 19]])",
    ),
    (
        "dict(threshold=5, edgeitems=2)",
        "ember.arange(60).reshape(3, 4, 5)",
        "tensor([[[ 0,  1,  ...,  3,  4],\n         [ 5,  6,  ...,  8,  9],\n         [10, 11,  ..., 13, 14],\n         [15, 16,  ..., 18, 19]],\n\n        [[20, 21,  ..., 23, 24],\n         [25, 26,  ..., 28, 29],\n         [30, 31,  ..., 33, 34],\n         [35, 36,  ..., 38, 39]],\n\n        [[40, 41,  ..., 43, 44],\n         [45, 46,  ..., 48, 49],\n         [50, 51,  ..., 53, 54],\n         [55, 56,  ..., 58, 59]]])",
    ),
    ("dict(threshold=5, edgeitems=0)", "ember.arange(10)", "tensor([...], size=(10,))"),
    (
        "dict(threshold=5, edgeitems=0)",
        "ember.arange(20).reshape(4, 5)",
        "tensor([...], size=(4, 5))",
    ),
    ("dict(edgeitems=0)", "ember.arange(4)", "tensor([0, 1, 2, 3], size=(4,))"),
    (
        "dict(linewidth=20)",
        "ember.arange(20)",
        "tensor([ 0,  1,  2,\n         3,  4,  5,\n         6,  7,  8,\n         9, 10, 11,\n        12, 13, 14,\n        15, 16, 17,\n        18, 19])",
    ),
    (
        "dict(linewidth=20)",
        "ember.arange(20.)",
        "tensor([ 0.,  1.,\n         2.,  3.,\n         4.,  5.,\n         6.,  7.,\n         8.,  9.,\n        10., 11.,\n        12., 13.,\n        14., 15.,\n        16., 17.,\n        18., 19.])",
    ),
    (
        "dict(linewidth=30)",
        "ember.tensor([1.0, 2.0], dtype=ember.float64, requires_grad=True)",
        "tensor([1., 2.],\n       dtype=ember.float64,\n       requires_grad=True)",
    ),
    (
        "dict(linewidth=40)",
        "ember.arange(10.).reshape(2, 5).double().requires_grad_()",
        "tensor([[0., 1., 2., 3., 4.],\n        [5., 6., 7., 8., 9.]],\n       dtype=ember.float64,\n       requires_grad=True)",
    ),
    ("dict(profile='short')", "ember.tensor([1.2345, 2.5])", "tensor([1.23, 2.50])"),
    (
        "dict(profile='short')",
        "ember.arange(2000.)",
        "tensor([0.00e+00, 1.00e+00,  ..., 2.00e+03, 2.00e+03])",
    ),
    (
        "dict(profile='full')",
        "ember.arange(1200).reshape(40, 30)[:2]",
        "tensor([[ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16, 17,\n         18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29],\n        [30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47,\n         48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59]])",
    ),
    ("dict(profile='full', precision=1)", "ember.tensor([1.25, 2.5])", "tensor([1.2, 2.5])"),
    (
        "dict()",
        "ember.arange(30.).reshape(1, 30).double()",
        "tensor([[ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n         14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25., 26., 27.,\n         28., 29.]], dtype=ember.float64)",
    ),
    (
        "dict()",
        "ember.tensor([1e-5+1j, 2.5+1e5j])",
        "tensor([1.0000e-05+1.0000e+00j, 2.5000e+00+1.0000e+05j])",
    ),
    (
        "dict()",
        "(ember.arange(30.) / 7).double().requires_grad_() * 2",
        "tensor([0.0000, 0.2857, 0.5714, 0.8571, 1.1429, 1.4286, 1.7143, 2.0000, 2.2857,\n        2.5714, 2.8571, 3.1429, 3.4286, 3.7143, 4.0000, 4.2857, 4.5714, 4.8571,\n        5.1429, 5.4286, 5.7143, 6.0000, 6.2857, 6.5714, 6.8571, 7.1429, 7.4286,\n        7.7143, 8.0000, 8.2857], dtype=ember.float64, grad_fn=<MulBackward0>)",
    ),
    (
        "dict()",
        "ember.arange(24.).reshape(4, 6).double()",
        "tensor([[ 0.,  1.,  2.,  3.,  4.,  5.],\n        [ 6.,  7.,  8.,  9., 10., 11.],\n        [12., 13., 14., 15., 16., 17.],\n        [18., 19., 20., 21., 22., 23.]], dtype=ember.float64)",
    ),
    (
        "dict()",
        "ember.tensor([[1+1j]*10]*2)",
        "tensor([[1.+1.j, 1.+1.j, 1.+1.j, 1.+1.j, 1.+1.j, 1.+1.j, 1.+1.j, 1.+1.j, 1.+1.j, 1.+1.j],\n        [1.+1.j, 1.+1.j, 1.+1.j, 1.+1.j, 1.+1.j, 1.+1.j, 1.+1.j, 1.+1.j, 1.+1.j, 1.+1.j]])",
    ),
    (
        "dict()",
        "ember.tensor([[-1.5+0.5j, 2-3j]*10])",
        "tensor([[-1.5000+0.5000j,  2.0000-3.0000j, -1.5000+0.5000j,  2.0000-3.0000j,\n         -1.5000+0.5000j,  2.0000-3.0000j, -1.5000+0.5000j,  2.0000-3.0000j,\n         -1.5000+0.5000j,  2.0000-3.0000j, -1.5000+0.5000j,  2.0000-3.0000j,\n         -1.5000+0.5000j,  2.0000-3.0000j, -1.5000+0.5000j,  2.0000-3.0000j,\n         -1.5000+0.5000j,  2.0000-3.0000j, -1.5000+0.5000j,  2.0000-3.0000j]])",
    ),
    (
        "dict()",
        "ember.arange(12).reshape(3, 1, 4)",
        "tensor([[[ 0,  1,  2,  3]],\n\n        [[ 4,  5,  6,  7]],\n\n        [[ 8,  9, 10, 11]]])",
    ),
    (
        "dict()",
        "ember.arange(8).reshape(2, 1, 1, 4).double()",
        "tensor([[[[0., 1., 2., 3.]]],\n\n\n        [[[4., 5., 6., 7.]]]], dtype=ember.float64)",
    ),
    (
        "dict()",
        "ember.zeros(2, 0, 3, dtype=ember.bool)",
        "tensor([], size=(2, 0, 3), dtype=ember.bool)",
    ),
    ("dict()", "ember.zeros(0, dtype=ember.bool)", "tensor([], dtype=ember.bool)"),
    ("dict()", "ember.zeros(3, dtype=ember.float16)", "tensor([0., 0., 0.], dtype=ember.float16)"),
    (
        "dict()",
        "ember.tensor([1e-5, 3.0], dtype=ember.float16)",
        "tensor([1.0014e-05, 3.0000e+00], dtype=ember.float16)",
    ),
    (
        "dict()",
        "ember.tensor([1.0, 2.0], dtype=ember.complex128)",
        "tensor([1.+0.j, 2.+0.j], dtype=ember.complex128)",
    ),
    (
        "dict()",
        "ember.tensor([0.1, 0.2, 0.3], dtype=ember.float64) * 3",
        "tensor([0.3000, 0.6000, 0.9000], dtype=ember.float64)",
    ),
    ("dict()", "ember.tensor([-1.0, -2.5])", "tensor([-1.0000, -2.5000])"),
    (
        "dict()",
        "ember.tensor([1, -2, 3], dtype=ember.int16)",
        "tensor([ 1, -2,  3], dtype=ember.int16)",
    ),
    ("dict()", "ember.tensor(-5, dtype=ember.int8)", "tensor(-5, dtype=ember.int8)"),
    ("dict()", "ember.tensor(False)", "tensor(False)"),
]


@pytest.mark.parametrize(("options", "expr", "expected"), OPTION_CASES)
def test_repr_with_printoptions_matches_pytorch(options, expr, expected):
    ember.set_printoptions(**eval(options))
    assert repr(_build(expr)) == expected


def test_get_printoptions_reflects_set_printoptions():
    ember.set_printoptions(precision=3, threshold=50, edgeitems=2, linewidth=60, sci_mode=True)
    assert ember.get_printoptions() == {
        "precision": 3,
        "threshold": 50,
        "edgeitems": 2,
        "linewidth": 60,
        "sci_mode": True,
    }
    ember.set_printoptions(profile="default")
    opts = ember.get_printoptions()
    assert (opts["precision"], opts["threshold"], opts["edgeitems"], opts["linewidth"]) == (
        4,
        1000,
        3,
        80,
    )
    assert opts["sci_mode"] is None


def test_sci_mode_resets_when_not_given():
    # PyTorch resets sci_mode to None on every set_printoptions call that omits it
    ember.set_printoptions(sci_mode=True)
    ember.set_printoptions(precision=4)
    assert repr(ember.tensor([1.5, 2.0])) == "tensor([1.5000, 2.0000])"


def test_str_is_repr_and_format_of_scalar():
    t = ember.tensor([1.5, 2.0])
    assert str(t) == repr(t)
    assert f"{ember.tensor(2.5):.2f}" == "2.50"


def test_full_profile_prints_everything():
    ember.set_printoptions(profile="full")
    text = repr(ember.arange(2000))
    assert "..." not in text
    assert text.count(",") == 1999


def test_default_dtype_change_moves_the_dtype_suffix():
    ember.set_default_dtype(ember.float64)
    try:
        assert repr(ember.tensor([1.5, 2.0])) == "tensor([1.5000, 2.0000])"
        assert (
            repr(ember.tensor([1.5], dtype=ember.float32))
            == "tensor([1.5000], dtype=ember.float32)"
        )
        assert repr(ember.tensor([1j])) == "tensor([0.+1.j])"
    finally:
        ember.set_default_dtype(ember.float32)


def test_grad_fn_suffix_uses_node_name():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    assert repr(x * 3) == "tensor([3., 6.], grad_fn=<MulBackward0>)"
    assert repr(x.detach()) == "tensor([1., 2.])"
