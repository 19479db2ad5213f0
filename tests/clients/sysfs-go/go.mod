module ptharness/tests/clients/sysfs-go

go 1.19
