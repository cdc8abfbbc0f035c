# The screening kernel as a Node-API addon, built by scripts/setup.sh (node-gyp, the system's Node headers).
# -march=native: for the CPU it is built on (setup.sh records its vector extensions beside the build, and the
# loader refuses it on a CPU without them). No BLAS to link: src/gemm.c is as fast for these shapes.
{
  "targets": [
    {
      "target_name": "cascade_screen",
      "sources": ["src/addon.c", "src/model.c", "src/gemm.c", "src/forward.c"],
      "cflags": [
        "-std=gnu11", "-O3", "-march=native", "-fno-strict-aliasing",
        "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-psabi"
      ],
      "cflags!": ["-O2", "-O0"],
      "ldflags": ["-pthread"]
    }
  ]
}
