#!/usr/bin/python3
"""Parses an OpenMetrics exposition with the Prometheus Python client's strict
OpenMetrics parser (Debian's python3-prometheus-client), the reference parser
of the format. Exit 0 when it parses; prints one line per family and one per
exemplar, so a test can check what was found. Exit 1 with the parser's reason
when it does not parse."""
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families


def main(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        families = list(text_string_to_metric_families(text))
    except ValueError as e:
        print(f"invalid OpenMetrics: {e}")
        return 1
    for family in families:
        print(f"family {family.name} {family.type} help={bool(family.documentation)}")
        for sample in family.samples:
            if sample.exemplar is not None:
                labels = ",".join(f"{k}={v}" for k, v in sorted(sample.exemplar.labels.items()))
                print(f"exemplar {sample.name} {labels}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
