"""Pelix/iPOPO in memory, on the bench's own files: the rates servreg is compared with.

    python pelix_bench.py REGISTER_FILE GET_FILE PREFILL

Registers PREFILL services like the bench's store (untimed), then times the register
lines of REGISTER_FILE and the get lines of GET_FILE (the same filter strings). Prints
"register N/s" and "get N/s", one per line.
"""
import random
import shlex
import sys
import time

import pelix.framework


def value(text, typed):
    if typed == "list":
        return text.split(",")
    if text.isdigit():
        return int(text)
    return text


def registrations(path):
    for line in open(path, encoding="utf-8"):
        words = shlex.split(line)
        properties = {}
        for index, word in enumerate(words):
            if word == "--prop":
                key, text = words[index + 1].split("=", 1)
                key, _, typed = key.partition(":")
                properties[key] = value(text, typed)
        yield words[1], properties


def queries(path):
    for line in open(path, encoding="utf-8"):
        words = shlex.split(line)
        yield words[1], words[words.index("--filter") + 1]


def main():
    register_file, get_file, prefill = sys.argv[1], sys.argv[2], int(sys.argv[3])
    framework = pelix.framework.create_framework(())
    framework.start()
    context = framework.get_bundle_context()
    service = object()
    generator = random.Random(2026)
    words = ["red", "green", "blue", "fast", "cheap", "local", "certified", "new"]
    for n in range(prefill):
        context.register_service(
            "acme.IService%d" % (n % 10),
            service,
            {
                "name": "service-%d" % n,
                "price": generator.randint(1, 1000),
                "location": "BH%d" % generator.randrange(10),
                "tags": [generator.choice(words), generator.choice(words)],
                "service.ranking": generator.randrange(4),
            },
        )
    lines = list(registrations(register_file))
    start = time.perf_counter()
    for specification, properties in lines:
        context.register_service(specification, service, properties)
    print("register %.0f/s" % (len(lines) / (time.perf_counter() - start)))
    gets = list(queries(get_file))
    start = time.perf_counter()
    for specification, ldap_filter in gets:
        context.get_service_reference(specification, ldap_filter)
    print("get %.0f/s" % (len(gets) / (time.perf_counter() - start)))
    framework.stop()


if __name__ == "__main__":
    main()
