# -*- Python -*-
# lit configuration of the seqc test suite.

import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "SEQC"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.seqc_obj_root, "test")
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "lib", "tools", "fuzz"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(("%mlir_lib_dir", config.mlir_lib_dir))
# The importer fuzzer is built when clang-22 is installed (scripts/setup.sh
# installs it); without it the fuzz test fails rather than being skipped.
config.substitutions.append(
    ("%seqc_fuzzer", config.seqc_fuzzer or "seqc-import-fuzzer-not-built"))
# The seqc Python package built in the build tree (python/CMakeLists.txt).
config.substitutions.append(
    ("%seqc_python_packages", config.seqc_python_packages))
config.substitutions.append(
    ("%e2e_tools", os.path.join(config.test_source_root, "e2e", "tools")))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

tool_dirs = [config.seqc_tools_dir, config.llvm_tools_dir]
tools = ["seqc", "seqc-opt", "seqc-run", "mlir-runner", "FileCheck", "not", "split-file"]
llvm_config.add_tool_substitutions(tools, tool_dirs)
llvm_config.with_environment("PATH", config.seqc_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
