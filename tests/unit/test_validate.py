"""Validator rules (spec "Validation"), on tiny hand-built modules."""

import pytest

from pywasi_interp import Module, ValidationError
from pywasi_interp.binary.decode import decode_module
from pywasi_interp.validate import validate_module

from wasm_builder import (
    I32, FUNCREF, TYPE, FUNCTION, MEMORY, GLOBAL, EXPORT, START, CODE,
    TABLE, op, i32_const, END, section, vec, u32, name, functype, limits, module,
    func_body, one_func_module, EMPTY_BLOCK,
)


def invalid(binary, message):
    with pytest.raises(ValidationError) as info:
        Module(binary)
    assert str(info.value).startswith(message), str(info.value)


def typed(params, results, instrs, locals_=()):
    return one_func_module(instrs, locals_, functype(params, results))


def test_validate_operand_type_mismatch():
    invalid(typed(b"", I32, i32_const(1) + op("i64.const") + b"\x01" + op("i32.add") + END),
            "type mismatch")


def test_validate_result_count_mismatch():
    invalid(typed(b"", I32, END), "type mismatch")
    invalid(typed(b"", b"", i32_const(1) + END), "type mismatch")


def test_validate_unknown_local_and_global():
    invalid(typed(b"", I32, op("local.get") + u32(0) + END), "unknown local")
    invalid(typed(b"", I32, op("global.get") + u32(0) + END), "unknown global")


def test_validate_global_is_immutable():
    glob = section(GLOBAL, vec([I32 + b"\x00" + i32_const(0) + END]))
    invalid(one_func_module(i32_const(1) + op("global.set") + u32(0) + END, extra=[glob]),
            "global is immutable")


def test_validate_unknown_function_label_and_memory():
    invalid(typed(b"", b"", op("call") + u32(7) + END), "unknown function")
    invalid(typed(b"", b"", op("br") + u32(1) + END), "unknown label")
    invalid(typed(b"", I32, i32_const(0) + op("i32.load") + b"\x02\x00" + END),
            "unknown memory")


def test_validate_alignment_not_larger_than_natural():
    mem = section(MEMORY, vec([limits(1)]))
    body = i32_const(0) + op("i32.load") + b"\x03\x00" + END
    invalid(one_func_module(body, functype_=functype(b"", I32), extra=[mem]),
            "alignment must not be larger than natural")


def test_validate_select_t_arity():
    body = (i32_const(1) + i32_const(2) + i32_const(0) + op("select_t") + vec([I32, I32])
            + END)
    invalid(typed(b"", I32, body), "invalid result arity")


def test_validate_untyped_select_rejects_references():
    body = (op("ref.null") + FUNCREF + op("ref.null") + FUNCREF + i32_const(0)
            + op("select") + op("drop") + END)
    invalid(typed(b"", b"", body), "type mismatch")


def test_validate_undeclared_function_reference():
    invalid(typed(b"", b"", op("ref.func") + u32(0) + op("drop") + END),
            "undeclared function reference")


def test_validate_multiple_memories():
    invalid(module(section(MEMORY, vec([limits(1), limits(1)]))), "multiple memories")


def test_validate_memory_limits():
    invalid(module(section(MEMORY, vec([limits(65537)]))), "memory size must be at most")
    invalid(module(section(MEMORY, vec([limits(2, 1)]))),
            "size minimum must not be greater than maximum")


def test_validate_duplicate_export_name():
    mem = section(MEMORY, vec([limits(1)]))
    exports = section(EXPORT, vec([name("m") + b"\x02" + u32(0)] * 2))
    invalid(module(mem, exports), "duplicate export name")


def test_validate_start_function_type():
    binary = module(section(TYPE, vec([functype(I32, b"")])),
                    section(FUNCTION, vec([u32(0)])),
                    section(START, u32(0)),
                    section(CODE, vec([func_body(END)])))
    invalid(binary, "start function")


def test_validate_constant_expression_required():
    glob = section(GLOBAL, vec([I32 + b"\x00" + i32_const(1) + i32_const(2) + op("i32.add") + END]))
    invalid(module(glob), "constant expression required")


def test_validate_too_many_locals():
    invalid(typed(b"", b"", END, locals_=[(50001, I32)]), "too many locals")


def test_validate_if_without_else_keeps_types():
    body = i32_const(1) + op("if") + I32 + i32_const(2) + END + op("drop") + END
    invalid(typed(b"", b"", body), "type mismatch")


def test_validate_unreachable_code_is_polymorphic():
    body = op("unreachable") + op("i32.add") + op("drop") + END
    Module(typed(b"", b"", body))      # valid: the stack is polymorphic


def test_validate_heights_mark_dead_blocks():
    # unreachable; block; i32.const 1; drop; end; end
    body = (op("unreachable") + op("block") + EMPTY_BLOCK + i32_const(1) + op("drop")
            + END + END)
    heights = validate_module(decode_module(typed(b"", b"", body)))[0]
    assert heights[0] == 0
    assert heights[1:] == [-1] * 5


def test_validate_heights_count_operands():
    body = i32_const(1) + i32_const(2) + op("i32.add") + op("drop") + END
    assert validate_module(decode_module(typed(b"", b"", body)))[0] == [0, 1, 2, 1, 0]


def test_validate_table_elem_type_for_call_indirect():
    table = section(TABLE, vec([b"\x6f" + limits(1)]))
    body = i32_const(0) + op("call_indirect") + u32(0) + u32(0) + END
    invalid(one_func_module(body, extra=[table]), "type mismatch")
