#!/usr/bin/env python3
"""Writes the ODS of the `onnx` dialect from the ONNX operator schemas.

One op per ONNX operator of the default domain at its newest version known to
the installed onnx package (ONNX 1.12: opset 17), with ONNX's names: inputs,
outputs and attributes. The .td files are generated in the build tree at build
time (never committed), one per operator family as ONNX groups them
(math, nn, tensor, ...).

Conventions the importer relies on (lib/Import):
  * absent optional inputs/outputs are values of type `none` (onnx.NoValue),
    so operand and result counts are fixed except for one trailing variadic;
  * graph attributes (If/Loop/Scan bodies) are regions, ended by onnx.Yield;
  * attribute names in RESERVED get a trailing underscore;
  * attributes that later opsets turned into inputs are declared in their
    input form (INPUT_FORM below), and the importer converts older models.
"""

import argparse
import os
import sys

import onnx
import onnx.defs as D

# Not supported by seqc: training, random, string and sequence/optional ops.
EXCLUDED_FAMILIES = {"sequence", "optional", "traditionalml", "training"}
EXCLUDED_OPS = {
    "Bernoulli", "Multinomial", "RandomNormal", "RandomNormalLike",
    "RandomUniform", "RandomUniformLike", "StringNormalizer", "TfIdfVectorizer",
}
# Names that clash with generated accessors.
RESERVED = {"type"}
# (op, attribute) pairs declared as an optional trailing input instead: the
# form of opset 18, which the ONNX 1.12 schemas do not know yet.
INPUT_FORM = {
    "ReduceL1": "axes", "ReduceL2": "axes", "ReduceLogSum": "axes",
    "ReduceLogSumExp": "axes", "ReduceMax": "axes", "ReduceMean": "axes",
    "ReduceMin": "axes", "ReduceProd": "axes", "ReduceSumSquare": "axes",
}

ATTR_TYPES = {
    "INT": "Onnx_IntAttr", "FLOAT": "F32Attr", "STRING": "StrAttr",
    "INTS": "I64ArrayAttr", "FLOATS": "F32ArrayAttr", "STRINGS": "StrArrayAttr",
    "TENSOR": "ElementsAttr", "SPARSE_TENSOR": "AnyAttr",
    "TYPE_PROTO": "TypeAttr",
}

OPT = D.OpSchema.FormalParameterOption


def family(schema):
    return schema.file.replace("\\", "/").split("/")[-2]


def ident(name):
    return name + "_" if name in RESERVED else name


def value_type(option):
    if option == OPT.Variadic:
        return "Variadic<AnyTensor>"
    if option == OPT.Optional:
        return "Onnx_TensorOrNone"
    return "AnyTensor"


def attr_decl(attr):
    """The ODS constraint of an attribute. Attributes with a scalar schema
    default are DefaultValuedAttr, so patterns read them through generated
    accessors (`op.getAxis()` is an int64_t) with ONNX's default applied in
    one place; the importer writes every default explicitly anyway."""
    t = ATTR_TYPES[attr.type.name]
    if attr.required:
        return t
    d = attr.default_value
    if d.type == onnx.AttributeProto.INT:
        return 'DefaultValuedAttr<%s, "%d">' % (t, d.i)
    if d.type == onnx.AttributeProto.FLOAT:
        return 'DefaultValuedAttr<%s, "%s">' % (t, repr(float(d.f)))
    if d.type == onnx.AttributeProto.STRING:
        text = d.s.decode()
        assert '"' not in text and "\\" not in text, text
        return 'DefaultValuedStrAttr<%s, "%s">' % (t, text)
    return "OptionalAttr<%s>" % t


def doc_text(schema):
    doc = (schema.doc or "").strip().replace("}]", "} ]")
    return doc


def summary(schema):
    return "ONNX %s (opset %d)" % (schema.name, schema.since_version)


def op_def(schema):
    ins, outs, regions = [], [], []
    for p in schema.inputs:
        ins.append("%s:$%s" % (value_type(p.option), ident(p.name)))
    extra_input = INPUT_FORM.get(schema.name)
    if extra_input:
        ins.append("Onnx_TensorOrNone:$%s" % ident(extra_input))
    for name, attr in sorted(schema.attributes.items()):
        if name == extra_input:
            continue
        if attr.type.name == "GRAPH":
            regions.append("AnyRegion:$%s" % ident(name))
            continue
        ins.append("%s:$%s" % (attr_decl(attr), ident(name)))
    for p in schema.outputs:
        outs.append("%s:$%s" % (value_type(p.option), ident(p.name)))
    lines = [
        "def Onnx_%sOp : Onnx_Op<\"%s\", %d%s> {" % (
            schema.name, schema.name, schema.since_version,
            ", [RecursiveMemoryEffects]" if regions else ", [Pure]"),
        "  let summary = \"%s\";" % summary(schema),
        "  let description = [{\n%s\n  }];" % doc_text(schema),
        "  let arguments = (ins %s);" % ",\n      ".join(ins),
        "  let results = (outs %s);" % ",\n      ".join(outs),
    ]
    if regions:
        lines.append("  let regions = (region %s);" % ", ".join(regions))
    else:
        lines.append("  let assemblyFormat = [{`(` operands `)` attr-dict `:` "
                     "functional-type(operands, results)}];")
    lines.append("}")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("outdir")
    ap.add_argument("--list", action="store_true",
                    help="print the families and exit")
    args = ap.parse_args()
    newest = {}
    for s in D.get_all_schemas():
        if s.domain != "" or s.name in EXCLUDED_OPS:
            continue
        if s.deprecated:
            # Removed operators (Upsample, Scatter): their last live version.
            s = D.get_schema(s.name, s.since_version - 1, "")
        if family(s) in EXCLUDED_FAMILIES:
            continue
        newest[s.name] = s
    by_family = {}
    for s in newest.values():
        by_family.setdefault(family(s), []).append(s)
    if args.list:
        print(";".join("Onnx%sOps.td" % f.title().replace("_", "") for f in sorted(by_family)), end="")
        return 0
    os.makedirs(args.outdir, exist_ok=True)
    umbrella = ["// Generated by onnx_ods_gen.py: do not edit.",
                "include \"seqc/Dialect/Onnx/IR/OnnxBase.td\""]
    umbrella += ["include \"seqc/Dialect/Onnx/IR/Onnx%sOps.td\"" % f.title().replace("_", "")
                 for f in sorted(by_family)]
    write_if_changed(os.path.join(args.outdir, "OnnxOps.td"), "\n".join(umbrella) + "\n")
    write_if_changed(os.path.join(args.outdir, "OnnxOpTable.inc"), op_table(newest))
    for fam, schemas in sorted(by_family.items()):
        guard = "SEQC_DIALECT_ONNX_IR_ONNX_%s_TD" % fam.upper()
        body = "\n\n".join(op_def(s) for s in sorted(schemas, key=lambda s: s.name))
        text = ("// Generated by onnx_ods_gen.py from the ONNX %s schemas: do not edit.\n"
                "#ifndef %s\n#define %s\n\ninclude \"seqc/Dialect/Onnx/IR/OnnxBase.td\"\n\n"
                "%s\n\n#endif // %s\n" % (fam, guard, guard, body, guard))
        write_if_changed(os.path.join(args.outdir, "Onnx%sOps.td" % fam.title().replace("_", "")),
                         text)
    return 0


def op_table(newest):
    """The facts the importer needs about each op, as X-macro rows:
    ONNX_OP(name, since, inputs, variadic_in, outputs, variadic_out,
            input_form_attr)."""
    rows = ["// Generated by onnx_ods_gen.py: do not edit."]
    for name, s in sorted(newest.items()):
        extra = INPUT_FORM.get(name)
        n_in = len(s.inputs) + (1 if extra else 0)
        var_in = bool(s.inputs) and s.inputs[-1].option == OPT.Variadic
        var_out = bool(s.outputs) and s.outputs[-1].option == OPT.Variadic
        rows.append('ONNX_OP("%s", %d, %d, %s, %d, %s, "%s")' % (
            name, s.since_version, n_in, "true" if var_in else "false",
            len(s.outputs), "true" if var_out else "false", extra or ""))
    return "\n".join(rows) + "\n"


def write_if_changed(path, text):
    old = open(path).read() if os.path.exists(path) else None
    if old != text:
        with open(path, "w") as f:
            f.write(text)


if __name__ == "__main__":
    sys.exit(main())
