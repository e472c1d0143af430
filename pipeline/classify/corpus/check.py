#!/usr/bin/env python3
"""Checks a corpus session file: valid JSON lines, required fields, label/lang/kind/hard
vocabularies, unique ids, and prints the balance tables."""
import json, sys, collections
HARD = {"plain","mixed","personal_work_words","work_personal_words","soft_promo",
        "product_no_push","short_emoji","reply","repost_quote","irony","link_hashtag_only"}
CATS = {"personal","professional","promotional"}
KINDS = {"original","reply","repost","quote"}
path = sys.argv[1]
errors = 0; ids = set(); texts = set()
by = collections.Counter(); hard = collections.Counter(); lang = collections.Counter()
n = 0
for i, line in enumerate(open(path, encoding="utf-8"), 1):
    if not line.strip():
        continue
    try:
        o = json.loads(line)
    except Exception as e:
        print(f"{path}:{i}: bad JSON: {e}"); errors += 1; continue
    def err(m):
        global errors; print(f"{path}:{i}: {m}"); errors += 1
    for f in ("type","id","account","ts","post_id","text","lang","kind","category","hard","sector"):
        if f not in o: err(f"missing {f}")
    if o.get("type") != "post": err("type must be post")
    if o.get("category") not in CATS: err(f"category {o.get('category')!r}")
    if o.get("lang") not in ("en","fr"): err(f"lang {o.get('lang')!r}")
    if o.get("kind") not in KINDS: err(f"kind {o.get('kind')!r}")
    if o.get("hard") not in HARD: err(f"hard {o.get('hard')!r}")
    for f in ("hashtags","mentions","links"):
        if f in o and not (isinstance(o[f], list) and all(isinstance(x, str) for x in o[f])): err(f"{f} must be a list of strings")
    if o.get("id") in ids: err(f"duplicate id {o.get('id')}")
    ids.add(o.get("id"))
    t = o.get("text","").strip().lower()
    if t in texts: err("duplicate text")
    texts.add(t)
    n += 1
    by[(o.get("lang"), o.get("category"))] += 1; hard[o.get("hard")] += 1; lang[o.get("lang")] += 1
print(f"{n} posts, {errors} error(s)")
for l in ("en","fr"):
    print(l, {c: by[(l,c)] for c in sorted(CATS)})
print("hard kinds:", dict(sorted(hard.items())), f"non-plain share {(n-hard['plain'])/max(n,1):.2f}")
sys.exit(1 if errors else 0)
