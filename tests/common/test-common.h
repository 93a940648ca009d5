/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the check test programs. */
#pragma once

#include "virt-caps/log.h"
#include "virt-caps/strv.h"
#include "virt-caps/util.h"
#include <check.h>

/** Path under the source tree's tests/probe/golden. */
char *test_data_path(const char *rel);
/** Read a whole file; fails the test when it cannot. */
char *test_read(const char *path, size_t *len);
/** Write a whole file; fails the test when it cannot. */
void test_write(const char *path, const char *text);
/** A fresh temporary directory (removed by test_rmtree). */
char *test_tmpdir(void);
void test_rmtree(const char *dir);
/** True when VC_TEST_REGENERATE=1: golden files are rewritten. */
bool test_regenerate(void);

/**
 * Compare @got with the golden file @path (or rewrite it when
 * regenerating). A missing golden file equals "". On mismatch the test
 * fails and a unified diff is printed.
 */
void test_golden(const char *path, const char *got);

/** Capture warnings and errors into @sink ("level: msg\n" lines). */
void test_capture_log(struct vc_strv *sink);
void test_release_log(void);
/**
 * Warnings and errors of each test of @tc, captured into test_log
 * ("level: msg\n" lines) and cleared after the test.
 */
extern struct vc_strv test_log;
void test_log_fixture(TCase *tc);

/** Join a captured log into one string. */
char *test_log_text(const struct vc_strv *sink);

/** Run a suite; returns the exit status for main(). */
int test_run(Suite *s);
