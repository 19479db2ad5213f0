// SPDX-License-Identifier: LGPL-2.1-or-later
// sysfs-go: a statically linked client that reads and writes sysfs with raw system calls, as a
// Go device plugin does (no libc, so no LD_PRELOAD shim can see it).
//
// Usage: sysfs-go ls DIR | cat FILE | readlink LINK | write FILE VALUE
// Errors are printed as "OP PATH: ERRNO-NAME (message)" and exit with status 1.
package main

import (
	"fmt"
	"os"
	"sort"
	"syscall"
	"unsafe"
)

var errnoNames = map[syscall.Errno]string{
	syscall.EBUSY: "EBUSY", syscall.EINVAL: "EINVAL", syscall.ENODEV: "ENODEV",
	syscall.ENOENT: "ENOENT", syscall.EACCES: "EACCES", syscall.EPERM: "EPERM",
	syscall.ERANGE: "ERANGE", syscall.EEXIST: "EEXIST", syscall.ENOSPC: "ENOSPC",
}

func fail(op, path string, err error) {
	name := "unknown"
	if e, ok := err.(syscall.Errno); ok {
		if n, found := errnoNames[e]; found {
			name = n
		} else {
			name = fmt.Sprintf("errno %d", int(e))
		}
	}
	fmt.Fprintf(os.Stderr, "%s %s: %s (%v)\n", op, path, name, err)
	os.Exit(1)
}

// list reads a directory with getdents64(2).
func list(dir string) []string {
	fd, err := syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY, 0)
	if err != nil {
		fail("open", dir, err)
	}
	defer syscall.Close(fd)
	var names []string
	buf := make([]byte, 8192)
	for {
		n, err := syscall.Getdents(fd, buf)
		if err != nil {
			fail("getdents", dir, err)
		}
		if n == 0 {
			break
		}
		for off := 0; off < n; {
			// struct linux_dirent64: ino u64, off s64, reclen u16, type u8, name[]
			reclen := int(*(*uint16)(unsafe.Pointer(&buf[off+16])))
			name := buf[off+19 : off+reclen]
			for i, c := range name {
				if c == 0 {
					name = name[:i]
					break
				}
			}
			if s := string(name); s != "." && s != ".." {
				names = append(names, s)
			}
			off += reclen
		}
	}
	sort.Strings(names)
	return names
}

func cat(path string) string {
	fd, err := syscall.Open(path, syscall.O_RDONLY, 0)
	if err != nil {
		fail("open", path, err)
	}
	defer syscall.Close(fd)
	buf := make([]byte, 65536)
	n, err := syscall.Read(fd, buf)
	if err != nil {
		fail("read", path, err)
	}
	return string(buf[:n])
}

func write(path, value string) {
	fd, err := syscall.Open(path, syscall.O_WRONLY, 0)
	if err != nil {
		fail("open", path, err)
	}
	defer syscall.Close(fd)
	if _, err := syscall.Write(fd, []byte(value)); err != nil {
		fail("write", path, err)
	}
}

func readlink(path string) string {
	buf := make([]byte, 4096)
	n, err := syscall.Readlink(path, buf)
	if err != nil {
		fail("readlink", path, err)
	}
	return string(buf[:n])
}

func main() {
	args := os.Args[1:]
	switch {
	case len(args) == 2 && args[0] == "ls":
		for _, n := range list(args[1]) {
			fmt.Println(n)
		}
	case len(args) == 2 && args[0] == "cat":
		fmt.Print(cat(args[1]))
	case len(args) == 2 && args[0] == "readlink":
		fmt.Println(readlink(args[1]))
	case len(args) == 3 && args[0] == "write":
		write(args[1], args[2])
	default:
		fmt.Fprintln(os.Stderr, "usage: sysfs-go ls DIR | cat FILE | readlink LINK | write FILE VALUE")
		os.Exit(2)
	}
}
