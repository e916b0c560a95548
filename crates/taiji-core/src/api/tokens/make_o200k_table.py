#!/usr/bin/env python3
"""Writes o200k_base.bin, the token table of the gateway's estimator, from OpenAI's o200k_base.tiktoken
(as shipped in the tiktoken-rs crate: `assets/o200k_base.tiktoken`, lines of "<base64 token> <rank>").

The output holds every token in rank order as one length byte followed by the token's bytes; the
ranks are 0..199997 without gaps, which the script checks. `tokens::bpe`'s test compares the table
with tiktoken-rs token by token.

    python3 make_o200k_table.py ~/.cargo/registry/src/*/tiktoken-rs-0.12.1/assets/o200k_base.tiktoken
"""
import base64
import pathlib
import sys

source = pathlib.Path(sys.argv[1])
tokens = []
for line in source.read_text().splitlines():
    raw, rank = line.split()
    if int(rank) != len(tokens):
        sys.exit(f"rank {rank} out of order")
    token = base64.b64decode(raw)
    if not 0 < len(token) < 256:
        sys.exit(f"token {rank} has {len(token)} bytes")
    tokens.append(token)
out = bytearray()
for token in tokens:
    out.append(len(token))
    out += token
target = pathlib.Path(__file__).with_name("o200k_base.bin")
target.write_bytes(bytes(out))
print(f"{len(tokens)} tokens, {len(out)} bytes -> {target}")
