// SPDX-License-Identifier: LGPL-2.1-or-later
module ptharness/tests/clients/sysfs-go

go 1.19
