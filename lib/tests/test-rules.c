/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The rule catalogue: unique IDs, kinds that match their prefix, a statement and a source. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rules.h"

static void test_rules_catalogue_well_formed(void **state)
{
	(void)state;
	assert_true(pt_rule_count() > 10);
	for (size_t i = 0; i < pt_rule_count(); i++) {
		const struct pt_rule *r = pt_rule_at(i);

		print_message("%s\n", r->id);
		assert_true(strncmp(r->id, r->kind == PT_RULE_KERNEL ? "K-" : "E-", 2) == 0);
		assert_true(strlen(r->statement) > 20);
		assert_true(strlen(r->source) > 5);
		for (const char *c = r->id; *c; c++)
			assert_true((*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
				    *c == '-');
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(pt_rule_at(j)->id, r->id);
		assert_ptr_equal(pt_rule_find(r->id), r);
	}
	assert_null(pt_rule_find("K-NO-SUCH-RULE"));
	assert_null(pt_rule_at(pt_rule_count()));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules_catalogue_well_formed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
