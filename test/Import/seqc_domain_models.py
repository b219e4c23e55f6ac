"""Models naming operators of the ai.seqc domain (lib/Import/SeqcOps.cpp),
good and bad, for seqc-domain.test. Usage: seqc_domain_models.py OUTDIR"""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper
import onnx


def model(name, node, x_shape=(1, 4, "L"), k=np.ones((4, 16), np.float32),
          seqc_version=1, import_domain=True):
    inits = [numpy_helper.from_array(k, "k")]
    g = helper.make_graph(
        [node], name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x_shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], inits)
    opsets = [helper.make_opsetid("", 17)]
    if import_domain:
        opsets.append(helper.make_opsetid("ai.seqc", seqc_version))
    return helper.make_model(g, opset_imports=opsets)


def lc(**attrs):
    return helper.make_node("LongConv", ["x", "k"], ["y"], name="lc", domain="ai.seqc", **attrs)


def main(out):
    os.makedirs(out, exist_ok=True)
    models = {
        "good": model("good", lc(mode="centered")),
        "no_import": model("no_import", lc(), import_domain=False),
        "bad_mode": model("bad_mode", lc(mode="acausal")),
        "bad_rank": model("bad_rank", lc(), k=np.ones((16,), np.float32)),
        "bad_channels": model("bad_channels", lc(), k=np.ones((3, 16), np.float32)),
        "bad_version": model("bad_version", lc(), seqc_version=2),
        "unknown_op": model("unknown_op", helper.make_node(
            "Mamba", ["x", "k"], ["y"], name="m", domain="ai.seqc")),
    }
    for name, m in models.items():
        onnx.save(m, os.path.join(out, name + ".onnx"))


if __name__ == "__main__":
    main(sys.argv[1])
