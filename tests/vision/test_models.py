"""ember_vision.models: parameter counts, output shapes, torchvision state-dict names."""

from functools import cache
from pathlib import Path

import pytest

import ember
import ember_vision
from ember import nn
from ember_vision import models
from ember_vision.models import vgg as vgg_module

FIXTURES = Path(__file__).parent / "fixtures"


def n_params(model):
    return sum(p.numel() for p in model.parameters())


@cache
def built(name):
    """One default (1000-class) instance per model, shared by the read-only tests."""
    return models.get_model(name)


# torchvision's published parameter counts (1000 classes).
PUBLISHED = {
    "resnet18": 11_689_512,
    "resnet34": 21_797_672,
    "resnet50": 25_557_032,
    "resnet101": 44_549_160,
    "resnet152": 60_192_808,
    "wide_resnet50_2": 68_883_240,
    "resnext50_32x4d": 25_028_904,
    "mobilenet_v2": 3_504_872,
    "mobilenet_v3_large": 5_483_032,
    "mobilenet_v3_small": 2_542_856,
    "efficientnet_b0": 5_288_548,
    "vit_b_16": 86_567_656,
}
VGG_PUBLISHED = {
    "vgg11": 132_863_336,
    "vgg11_bn": 132_868_840,
    "vgg13": 133_047_848,
    "vgg13_bn": 133_053_736,
    "vgg16": 138_357_544,
    "vgg16_bn": 138_365_992,
    "vgg19": 143_667_240,
    "vgg19_bn": 143_678_248,
}
VGG_CFG = {"vgg11": "A", "vgg13": "B", "vgg16": "D", "vgg19": "E"}
# Linear(25088, 4096) + Linear(4096, 4096) + Linear(4096, 1000)
VGG_CLASSIFIER = 25088 * 4096 + 4096 + 4096 * 4096 + 4096 + 4096 * 1000 + 1000


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_parameter_count(name):
    assert n_params(built(name)) == PUBLISHED[name]


@pytest.mark.parametrize("name", ["vgg11", "vgg16", "vgg16_bn"])
def test_vgg_parameter_count_full(name):
    # Full construction of VGG is slow (~3 s each), so only the figures the issue names.
    assert n_params(models.get_model(name, init_weights=False)) == VGG_PUBLISHED[name]


@pytest.mark.parametrize("name", sorted(VGG_PUBLISHED))
def test_vgg_features_parameter_count(name):
    features = vgg_module.make_layers(
        vgg_module.cfgs[VGG_CFG[name.removesuffix("_bn")]], batch_norm=name.endswith("_bn")
    )
    assert n_params(features) + VGG_CLASSIFIER == VGG_PUBLISHED[name]


def test_lenet5():
    model = models.lenet5()
    assert n_params(model) == 61_706
    assert model(ember.randn(2, 1, 28, 28)).shape == (2, 10)
    assert models.lenet5(num_classes=3, in_channels=3)(ember.randn(1, 3, 28, 28)).shape == (1, 3)


@pytest.mark.parametrize(
    "name",
    [
        "resnet18",
        "resnet34",
        "resnet50",
        "resnext50_32x4d",
        "mobilenet_v2",
        "mobilenet_v3_large",
        "mobilenet_v3_small",
        "efficientnet_b0",
    ],
)
@pytest.mark.parametrize("train", [True, False])
def test_output_shape_32x32(name, train):
    model = models.get_model(name, num_classes=7)
    model.train(train)
    batch = 2 if train else 1  # BatchNorm needs more than one value per channel in training
    out = model(ember.randn(batch, 3, 32, 32))
    assert out.shape == (batch, 7)
    assert out.dtype == ember.float32
    assert bool(ember.isfinite(out).all())


def test_resnet_backward_reaches_every_parameter():
    model = models.resnet18(num_classes=4)
    model(ember.randn(2, 3, 32, 32)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())


def test_vit_tiny_32():
    model = models.vit_tiny_32()
    out = model(ember.randn(2, 3, 32, 32))
    assert out.shape == (2, 10)
    # torchvision initialises the head to zero
    assert bool((out == 0).all())
    nn.init.normal_(model.heads.head.weight)
    out = model(ember.randn(2, 3, 32, 32))
    assert out.shape == (2, 10) and bool((out != 0).any())
    with pytest.raises(ValueError, match="Wrong image size"):
        model(ember.randn(1, 3, 16, 16))


def test_vit_b_16_structure():
    sd = built("vit_b_16").state_dict()
    assert list(sd)[:4] == [
        "class_token",
        "conv_proj.weight",
        "conv_proj.bias",
        "encoder.pos_embedding",
    ]
    assert sd["encoder.pos_embedding"].shape == (1, 197, 768)
    assert sd["conv_proj.weight"].shape == (768, 3, 16, 16)
    prefix = "encoder.layers.encoder_layer_11."
    assert sd[prefix + "self_attention.in_proj_weight"].shape == (2304, 768)
    assert sd[prefix + "mlp.0.weight"].shape == (3072, 768)
    assert sd[prefix + "mlp.3.weight"].shape == (768, 3072)
    assert sd["encoder.ln.weight"].shape == (768,)
    assert sd["heads.head.weight"].shape == (1000, 768)


def test_resnet18_state_dict_keys_match_torchvision():
    expected = (FIXTURES / "resnet18_keys.txt").read_text().split()
    sd = built("resnet18").state_dict()
    assert list(sd) == expected
    assert sd["conv1.weight"].shape == (64, 3, 7, 7)
    assert sd["layer2.0.downsample.0.weight"].shape == (128, 64, 1, 1)
    assert sd["layer4.1.conv2.weight"].shape == (512, 512, 3, 3)
    assert sd["bn1.num_batches_tracked"].dtype == ember.int64
    assert sd["fc.weight"].shape == (1000, 512)


@pytest.mark.parametrize(
    ("name", "key", "shape"),
    [
        ("resnet50", "layer1.0.downsample.0.weight", (256, 64, 1, 1)),
        ("resnet50", "layer3.5.conv3.weight", (1024, 256, 1, 1)),
        ("resnext50_32x4d", "layer1.0.conv2.weight", (128, 4, 3, 3)),
        ("wide_resnet50_2", "layer1.0.conv2.weight", (128, 128, 3, 3)),
        ("mobilenet_v2", "features.0.0.weight", (32, 3, 3, 3)),
        ("mobilenet_v2", "features.1.conv.1.weight", (16, 32, 1, 1)),
        ("mobilenet_v2", "features.2.conv.0.1.running_var", (96,)),
        ("mobilenet_v2", "classifier.1.weight", (1000, 1280)),
        ("mobilenet_v3_large", "features.4.block.2.fc1.weight", (24, 72, 1, 1)),
        ("mobilenet_v3_large", "features.16.0.weight", (960, 160, 1, 1)),
        ("mobilenet_v3_large", "classifier.3.weight", (1000, 1280)),
        ("mobilenet_v3_small", "features.1.block.1.fc2.bias", (16,)),
        ("mobilenet_v3_small", "classifier.0.weight", (1024, 576)),
        ("efficientnet_b0", "features.1.0.block.1.fc1.weight", (8, 32, 1, 1)),
        ("efficientnet_b0", "features.6.3.block.3.0.weight", (192, 1152, 1, 1)),
        ("efficientnet_b0", "features.8.0.weight", (1280, 320, 1, 1)),
        ("efficientnet_b0", "classifier.1.weight", (1000, 1280)),
    ],
)
def test_torchvision_key_names(name, key, shape):
    assert built(name).state_dict()[key].shape == shape


def test_state_dict_round_trip_gives_same_outputs():
    a = models.resnet18(num_classes=5).eval()
    b = models.resnet18(num_classes=5).eval()
    b.load_state_dict(a.state_dict())
    x = ember.randn(1, 3, 32, 32)
    assert bool(ember.allclose(a(x), b(x)))


def test_initialisation_follows_torchvision():
    model = built("resnet18")
    assert bool((model.bn1.weight == 1).all()) and bool((model.bn1.bias == 0).all())
    std = float(model.layer1[0].conv1.weight.std())
    assert abs(std - (2.0 / (64 * 9)) ** 0.5) < 0.01  # kaiming_normal_, fan_out, relu
    mb = built("mobilenet_v2")
    assert abs(float(mb.classifier[1].weight.std()) - 0.01) < 0.001
    assert bool((mb.classifier[1].bias == 0).all())


@pytest.mark.parametrize("builder", [models.resnet18, models.mobilenet_v2, models.lenet5])
def test_weights_other_than_none_raise(builder):
    with pytest.raises(ValueError, match=r"load_state_dict\(ember.load\(path\)\)"):
        builder(weights="IMAGENET1K_V1")


def test_list_models_and_get_model():
    names = models.list_models()
    assert names == sorted(names)
    for name in [*PUBLISHED, *VGG_PUBLISHED, "lenet5", "vit_tiny_32"]:
        assert name in names
    assert models.list_models(include="resnet1*") == ["resnet101", "resnet152", "resnet18"]
    assert "vgg11" not in models.list_models(exclude="vgg*")
    assert models.list_models(module=models.mobilenetv3) == [
        "mobilenet_v3_large",
        "mobilenet_v3_small",
    ]
    assert isinstance(models.get_model("ResNet18", num_classes=3), models.ResNet)
    assert models.get_model_builder("mobilenet_v2") is models.mobilenet_v2
    with pytest.raises(ValueError, match="Unknown model resnet7"):
        models.get_model("resnet7")


def test_stochastic_depth_only_in_training():
    from ember_vision.ops import StochasticDepth

    sd = StochasticDepth(0.5, "row")
    x = ember.ones(64, 2, 1, 1)
    y = sd(x)
    kept = y[:, 0, 0, 0]
    assert set(kept.tolist()) <= {0.0, 2.0} and 0 < int((kept == 0).sum()) < 64
    sd.eval()
    assert sd(x) is x
    with pytest.raises(ValueError, match="mode has to be"):
        StochasticDepth(0.1, "col")(x)  # checked when applied, as in torchvision


def test_models_is_reachable_from_package():
    assert ember_vision.models is models
