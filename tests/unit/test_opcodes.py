"""The opcode table is closed: every row has exactly one handler and one
validation path, and nothing refers to an instruction the table lacks."""

import re

from pywasi_interp import opcodes as O
from pywasi_interp import numeric
from pywasi_interp.engine import interp
from pywasi_interp.validate import validation_rule, RULES

# Structured control never reaches the engine: compile.py resolves it into
# jump handlers, which in turn have no opcode of their own.
RESOLVED_BY_COMPILER = {"block", "loop", "if", "else", "end", "br", "br_if",
                        "br_table", "nop"}
ENGINE_ONLY = {"jump", "jump_if", "jump_unless", "jump_table"}


def test_opcodes_codes_and_names_unique():
    assert len({(r.prefix, r.code) for r in O.OPS}) == len(O.OPS)
    assert len({r.name for r in O.OPS}) == len(O.OPS)


def test_opcodes_every_row_has_one_handler():
    for row in O.OPS:
        if row.name in RESOLVED_BY_COMPILER:
            assert row.handler_name not in interp.FACTORIES, row.name
        else:
            assert row.handler_name in interp.FACTORIES, row.name


def test_opcodes_no_orphan_handlers():
    names = {r.handler_name for r in O.OPS} | ENGINE_ONLY
    assert set(interp.FACTORIES) - names == set()


def test_opcodes_every_row_has_one_validation_path():
    for row in O.OPS:
        named = row.name in RULES
        generic = row.params is not None
        assert validation_rule(row) is not None, row.name
        # Memory rows have a signature and a named rule (alignment check);
        # every other row has exactly one of the two.
        assert named != generic or row.width is not None, row.name
    assert set(RULES) <= set(O.BY_NAME)


def test_opcodes_templates_name_existing_numeric_functions():
    for row in O.OPS:
        if row.expr is None:
            continue
        assert row.params is not None and len(row.results) == 1, row.name
        for fn in re.findall(r"N\.(\w+)", row.expr):
            assert callable(getattr(numeric, fn, None)), (row.name, fn)


def test_opcodes_every_template_handler_compiles():
    # Template factories are generated lazily; generate them all here.
    for row in O.OPS:
        if row.expr is not None:
            assert callable(interp.FACTORIES[row.handler_name]), row.name


def test_opcodes_simd_memory_rows_match_their_accessors():
    from pywasi_interp import simd
    assert set(O.SIMD_MEMORY) == set(simd.MEMORY)
