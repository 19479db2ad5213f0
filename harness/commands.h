/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ptharness subcommands; each parses its own options and returns the exit status. */
#pragma once

/* Exit statuses (docs/scenario-contract.md): 0 all passed, 1 a check failed, 2 bad usage/input. */
enum {
	PTH_EXIT_OK = 0,
	PTH_EXIT_FAIL = 1,
	PTH_EXIT_INPUT = 2,
};

int pth_cmd_inspect(int argc, char **argv);
int pth_cmd_record(int argc, char **argv);
int pth_cmd_import(int argc, char **argv);
int pth_cmd_memlock(int argc, char **argv);
int pth_cmd_detach(int argc, char **argv);
int pth_cmd_reattach(int argc, char **argv);
int pth_cmd_reset(int argc, char **argv);
int pth_cmd_vfio_open(int argc, char **argv);
int pth_cmd_select_vf(int argc, char **argv);
int pth_cmd_set_numvfs(int argc, char **argv);
int pth_cmd_attach(int argc, char **argv);
int pth_cmd_plan(int argc, char **argv);
int pth_cmd_release(int argc, char **argv);
int pth_cmd_migrate_check(int argc, char **argv);
int pth_cmd_replay(int argc, char **argv);
int pth_cmd_report(int argc, char **argv);
int pth_cmd_run(int argc, char **argv);
int pth_cmd_certify(int argc, char **argv);
int pth_cmd_fake(int argc, char **argv);
int pth_cmd_recover(int argc, char **argv);
