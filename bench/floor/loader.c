// Loads the named programs of a BPF object and attaches them, for the
// benches: bench/floor/floor.bpf.c's steps, or a syscall probe object built
// from another commit, beside kscope and its peers.
//
//   loader OBJECT PROG[,PROG...] [VAR=VALUE...] [--stdin]
//
// VAR=VALUE sets a read-only tunable (a `const volatile` integer of the
// object's .rodata, e.g. targ_breakdown=1) before the load. Without --stdin
// the programs stay attached until SIGINT or SIGTERM, and "attached" is
// printed once they are. With --stdin they start detached and each line
// toggles them: "a" attaches, "d" detaches, and "ok" answers when done (for
// bench/syscall_ab.py, which switches between probes many times a second).
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_LINKS 8

static volatile sig_atomic_t stop;

static void on_signal(int sig) { (void)sig; stop = 1; }

static int listed(const char *list, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
		if (strncmp(p, name, len) == 0 && (p[len] == ',' || p[len] == '\0'))
			return 1;
	}
	return 0;
}

/* Writes VALUE into the .rodata variable VAR (1, 2, 4 or 8 bytes). */
static int set_rodata(struct bpf_object *obj, const char *assignment)
{
	const char *eq = strchr(assignment, '=');
	struct bpf_map *map = bpf_object__find_map_by_name(obj, ".rodata");
	struct btf *btf = bpf_object__btf(obj);
	const void *initial;
	size_t size;
	char *data;
	int id, err;

	if (!eq || !map || !btf)
		return -1;
	initial = bpf_map__initial_value(map, &size);
	id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
	if (!initial || id < 0)
		return -1;
	const struct btf_type *sec = btf__type_by_id(btf, id);
	const struct btf_var_secinfo *v = btf_var_secinfos(sec);
	for (int i = 0; i < btf_vlen(sec); i++, v++) {
		const char *name = btf__name_by_offset(btf, btf__type_by_id(btf, v->type)->name_off);
		unsigned long long value = strtoull(eq + 1, NULL, 0);

		if (strlen(name) != (size_t)(eq - assignment) || strncmp(name, assignment, eq - assignment))
			continue;
		if (v->offset + v->size > size || v->size > sizeof(value))
			return -1;
		data = malloc(size);
		if (!data)
			return -1;
		memcpy(data, initial, size);
		memcpy(data + v->offset, &value, v->size); /* little-endian hosts */
		err = bpf_map__set_initial_value(map, data, size);
		free(data);
		return err;
	}
	return -1;
}

static int attach_all(struct bpf_object *obj, struct bpf_link **links)
{
	struct bpf_program *prog;
	int n = 0;

	bpf_object__for_each_program(prog, obj) {
		if (!bpf_program__autoload(prog) || n == MAX_LINKS)
			continue;
		links[n] = bpf_program__attach(prog);
		if (!links[n]) {
			perror("attach");
			exit(1);
		}
		n++;
	}
	return n;
}

int main(int argc, char **argv)
{
	struct bpf_link *links[MAX_LINKS] = {};
	struct bpf_object *obj;
	struct bpf_program *prog;
	int toggled = 0, n = 0;
	char line[16];

	if (argc < 3) {
		fprintf(stderr, "usage: %s OBJECT PROG[,PROG...] [VAR=VALUE...] [--stdin]\n", argv[0]);
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		perror("open");
		return 1;
	}
	bpf_object__for_each_program(prog, obj)
		bpf_program__set_autoload(prog, listed(argv[2], bpf_program__name(prog)));
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--stdin") == 0) {
			toggled = 1;
		} else if (set_rodata(obj, argv[i])) {
			fprintf(stderr, "cannot set %s\n", argv[i]);
			return 2;
		}
	}
	if (bpf_object__load(obj)) {
		perror("load");
		return 1;
	}
	if (!toggled) {
		n = attach_all(obj, links);
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
		printf("attached\n");
		fflush(stdout);
		while (!stop)
			pause();
	} else {
		printf("loaded\n");
		fflush(stdout);
		while (fgets(line, sizeof(line), stdin)) {
			if (line[0] == 'a' && n == 0)
				n = attach_all(obj, links);
			else if (line[0] == 'd')
				while (n > 0)
					bpf_link__destroy(links[--n]);
			printf("ok\n");
			fflush(stdout);
		}
	}
	while (n > 0)
		bpf_link__destroy(links[--n]);
	bpf_object__close(obj);
	return 0;
}
