/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bug-report redaction: MACs, serial attributes, the DSN capability, the host name. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "bugreport.h"

static char *redact(const char *text, const char *host)
{
	GString *s = g_string_new(text);

	pth_bugreport_redact(s, host);
	return g_string_free(s, FALSE);
}

/* MAC addresses anywhere; not PCI addresses, not all-ones or all-zeros, not longer runs. */
static void test_bugreport_macs(void **state)
{
	g_autofree char *out = redact("A: address=52:54:00:12:34:56\\n\n"
				      "A: broadcast=ff:ff:ff:ff:ff:ff\\n\n"
				      "P: /devices/pci0000:00/0000:00:1f.6\n"
				      "A: id=00:11:22:33:44:55:66\\n\n",
				      NULL);

	assert_non_null(strstr(out, "address=XX:XX:XX:XX:XX:XX"));
	assert_non_null(strstr(out, "broadcast=ff:ff:ff:ff:ff:ff"));
	assert_non_null(strstr(out, "0000:00:1f.6"));
	assert_non_null(strstr(out, "id=00:11:22:33:44:55:66"));
}

/* "serial" attributes at any level; "serial_number_len" and names ending in it are not. */
static void test_bugreport_serials(void **state)
{
	g_autofree char *out = redact("A: serial=S5GXNX0W123456K     \\n\n"
				      "A: nvme0/serial=ABC123\\n\n"
				      "A: myserial=keep\\n\n",
				      NULL);

	assert_non_null(strstr(out, "A: serial=REDACTED\\n\n"));
	assert_non_null(strstr(out, "A: nvme0/serial=REDACTED\\n\n"));
	assert_non_null(strstr(out, "A: myserial=keep"));
	assert_null(strstr(out, "S5GXNX0W"));
}

/* The host name as a word, nowhere inside other words. */
static void test_bugreport_hostname(void **state)
{
	g_autofree char *out =
		redact("A: proc/cmdline=root=/dev/sda hostname=pve7 pve7x\\n\n", "pve7");

	assert_non_null(strstr(out, "hostname=REDACTED-HOST pve7x"));
}

/* The Device Serial Number capability's 8 bytes become zero, the header stays. */
static void test_bugreport_dsn(void **state)
{
	g_autoptr(GString) s = g_string_new("H: config=");
	g_autofree char *out = NULL;

	for (unsigned i = 0; i < 4096; i++) {
		static const uint8_t dsn[] = { 0x03, 0x00, 0x01, 0x00, 0x4c, 0x17,
					       0x12, 0xff, 0xff, 0x21, 0x1b, 0x00 };

		g_string_append_printf(s, "%02X",
				       i >= 0x100 && i < 0x10c ? (unsigned)dsn[i - 0x100] : 0u);
	}
	g_string_append_c(s, '\n');
	out = redact(s->str, NULL);
	assert_memory_equal(out + 10 + 0x100 * 2, "0300010000000000000000000000", 28);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bugreport_macs),
		cmocka_unit_test(test_bugreport_serials),
		cmocka_unit_test(test_bugreport_hostname),
		cmocka_unit_test(test_bugreport_dsn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
