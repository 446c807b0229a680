{
  "variables": {
    "blas_library%": "",
    "blas_include%": "",
    "use_accelerate%": "false"
  },
  "targets": [
    {
      "target_name": "o2o_kernels",
      "sources": ["kernels.c"],
      "cflags": ["-O3", "-ffp-contract=off", "-fvisibility=hidden"],
      "conditions": [
        ["use_accelerate=='true'", {
          "defines": ["O2O_USE_ACCELERATE", "ACCELERATE_NEW_LAPACK"],
          "link_settings": { "libraries": ["-framework Accelerate"] },
          "xcode_settings": { "OTHER_CFLAGS": ["-O3", "-ffp-contract=off"] }
        }, {
          "include_dirs": ["<(blas_include)"],
          "libraries": ["<(blas_library)", "-lpthread", "-lm"],
          "ldflags": ["-Wl,--exclude-libs,ALL", "-Wl,--gc-sections", "-s"]
        }]
      ]
    }
  ]
}
