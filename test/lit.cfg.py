# lit configuration for dsc: FileCheck tests of the dialects and passes.
import os
import lit.formats

config.name = "dsc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir"]
config.test_source_root = os.path.join(config.dsc_src_root, "test", "lit")
config.test_exec_root = os.path.join(config.dsc_obj_root, "test", "lit")
config.excludes = ["Inputs"]

tool_dirs = [
    os.path.join(config.dsc_obj_root, "tools", "dsc-opt"),
    os.path.join(config.dsc_obj_root, "tools", "dsc"),
    config.llvm_tools_dir,
]
config.environment["PATH"] = os.pathsep.join(tool_dirs + [config.environment.get("PATH", "")])
