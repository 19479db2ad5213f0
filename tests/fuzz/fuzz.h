/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every fuzz target defines: libFuzzer's entry point (replay.c calls it without libFuzzer). */
#pragma once

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A copy of the input with a terminating NUL (what a file read with g_file_get_contents is).
 * The caller frees it. */
char *fuzz_text(const uint8_t *data, size_t size);

struct fks_host;
/* A fresh copy of the recorded host the store and VFIO targets change (FUZZ_HOST, loaded once
 * per process). The caller frees it with fks_host_free(). */
struct fks_host *fuzz_host(void);
