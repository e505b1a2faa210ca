#!/usr/bin/env python3
"""Derives catalog/mappings/nist-csf-2--nist-800-53-r5.yaml (not needed at run time).

    python3 scripts/csf2-crosswalk.py [REFERENCE] > catalog/mappings/nist-csf-2--nist-800-53-r5.yaml

REFERENCE is the folder of the project's reference data (default: ../shared/reference
beside the clone). Needs openpyxl. The output is deterministic.

NIST publishes CSF 2.0's informative references to SP 800-53 Rev. 5 only through its
online tool (CPRT), which we could not get as data; what we have is NIST's CSF 1.1 ->
SP 800-53 Rev. 5 workbook (csf-pf-to-sp800-53r5-mappings.xlsx) and the CSF 2.0 OSCAL
catalog, whose withdrawn CSF 1.1 items link to the CSF 2.0 items that took them over.
So each pair is DERIVED, by these rules:
- a CSF 1.1 subcategory (ID.AM-1, written ID.AM-01 in 2.0) that is still an active
  subcategory of CSF 2.0 keeps its SP 800-53 controls: coverage full;
- a withdrawn one gives its controls to each CSF 2.0 subcategory it links to:
  `moved_to` -> coverage full (the same outcome, renumbered), `incorporated_into` ->
  coverage partial (the old outcome is part of a broader new one). Links to a category
  or function (e.g. ID.GV-01 -> GV.PO) are not subcategories and are skipped;
- a pair reached both ways keeps the higher coverage (full);
- "-1 controls from all security control families" is every SP 800-53 family's -1
  control but PT's (PT is the privacy family);
- SP 800-53 ids not in the built-in nist-800-53-r5 catalog (withdrawn) are dropped.
CSF 2.0 subcategories that are new in 2.0 get no pairs.
"""

import json
import os
import re
import sys

import openpyxl

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ORDER = {"full": 0, "partial": 1}


def main():
    ref = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "../shared/reference")
    csf_path = os.path.join(ref, "nist-oscal-content/CSF/v2.0/json/NIST_CSF_v2.0_catalog-min.json")
    xlsx_path = os.path.join(ref, "nist-sp800-53r5-iso27001-csf-mappings/csf-pf-to-sp800-53r5-mappings.xlsx")
    with open(csf_path, encoding="utf-8") as f:
        csf = json.load(f)["catalog"]

    def withdrawn(c):
        return any(p["name"] == "status" and p["value"] == "withdrawn" for p in c.get("props", []))

    active, links = [], {}
    for group in csf["groups"]:
        for category in group.get("controls", []):
            for sub in category.get("controls", []):
                if withdrawn(sub):
                    links[sub["id"]] = [(l["href"].lstrip("#"), l["rel"]) for l in sub.get("links", [])]
                else:
                    active.append(sub["id"])
    active_set = set(active)

    with open(os.path.join(ROOT, "catalog/certifications/nist-800-53-r5.yaml"), encoding="utf-8") as f:
        sp = re.findall(r'^\s+- id: "([^"]+)"', f.read(), re.M)
    sp_set = set(sp)
    firsts = [c for c in sp if c.endswith("-1") and not c.startswith("PT-")]

    ws = openpyxl.load_workbook(xlsx_path, read_only=True)["CSF to SP 800-53r5"]
    pairs, dropped = {}, set()
    for row in list(ws.iter_rows(values_only=True))[2:]:
        sub, refs = row[2], row[3]
        if not sub or not refs:
            continue
        m = re.match(r"\s*([A-Z]{2}\.[A-Z]{2})-(\d+):", sub)
        old = f"{m.group(1)}-{int(m.group(2)):02d}"
        controls = []
        text = refs
        if "-1 controls" in text:
            controls += firsts
            text = re.sub(r"(all\s+)?-1 controls( from all security control families)?", "", text)
        controls += [c for c in re.split(r"[,\s]+", text) if c]
        if old in active_set:
            targets = [(old, "full")]
        else:
            targets = [
                (href, "full" if rel == "moved_to" else "partial")
                for href, rel in links.get(old, [])
                if href in active_set
            ]
        for control in controls:
            if control not in sp_set:
                dropped.add(control)
                continue
            for target, coverage in targets:
                key = (target, control)
                if key not in pairs or ORDER[coverage] < ORDER[pairs[key]]:
                    pairs[key] = coverage
    if dropped:
        print(f"dropped (not in nist-800-53-r5): {sorted(dropped)}", file=sys.stderr)

    def sp_key(c):
        fam, num = c.split("-", 1)
        return (fam, int(re.match(r"\d+", num).group()), c)

    rank = {c: i for i, c in enumerate(active)}
    print("# yaml-language-server: $schema=../../schemas/mapping.schema.json")
    print(
        'description: "DERIVED informative crosswalk from NIST CSF 2.0 subcategories to NIST SP 800-53 Rev. 5 '
        "controls: NIST's CSF 1.1 to SP 800-53 Rev. 5 mapping carried to CSF 2.0 through the CSF 2.0 catalog's "
        "links from withdrawn CSF 1.1 items to the items that took them over (moved_to, incorporated_into). "
        "Not NIST's own CSF 2.0 informative references. coverage is full where the CSF 1.1 subcategory kept its id "
        "or moved, partial where it was incorporated into a broader CSF 2.0 subcategory. Subcategories new in CSF 2.0 "
        'have no pairs. Made by scripts/csf2-crosswalk.py (see catalog/README.md). Shown as \\"see also\\"; never synced."'
    )
    print(
        'source: "Derived from NIST, \\"NIST Cybersecurity Framework Version 1.1 to NIST SP 800-53 Rev. 5\\" '
        "(csf-pf-to-sp800-53r5-mappings.xlsx, 2020-12-10) and NIST's CSF 2.0 OSCAL catalog "
        '(usnistgov/oscal-content, commit 78650f0); U.S. Government works, public domain."'
    )
    print("informative:")
    for (target, control), coverage in sorted(pairs.items(), key=lambda kv: (rank[kv[0][0]], sp_key(kv[0][1]))):
        print(f"  - {{ from: nist-csf-2:{target}, to: nist-800-53-r5:{control}, coverage: {coverage} }}")
    print(f"{len(pairs)} pairs, {len({t for t, _ in pairs})} subcategories", file=sys.stderr)


if __name__ == "__main__":
    main()
