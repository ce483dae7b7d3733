#!/usr/bin/env python3
"""Generates the Rust packet, struct and enum code of `eo-protocol` from the eo-protocol XML spec.

Usage: python3 protocol/codegen/generate.py [XML_DIR]

XML_DIR defaults to ../shared/eo-protocol/xml next to the repository. The output goes to
protocol/src/generated/ and is committed, so building the crate never needs the XML.
Each layout is declared once, in the XML; this script is the only place that knows how a
layout element becomes Rust. See protocol/codegen/README.md for the mapping.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field as dc_field

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "protocol", "src", "generated")

# XML file (relative to XML_DIR) -> Rust module path (relative to the crate's `generated`).
MODULES = [
    ("protocol.xml", []),
    ("net/protocol.xml", ["net"]),
    ("net/client/protocol.xml", ["net", "client"]),
    ("net/server/protocol.xml", ["net", "server"]),
    ("map/protocol.xml", ["map"]),
    ("pub/protocol.xml", ["pubs"]),
    ("pub/server/protocol.xml", ["pubs", "server"]),
]

RUST_KEYWORDS = {
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use",
    "where", "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final",
    "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
}

NUMERIC = {"byte": 1, "char": 1, "short": 2, "three": 3, "int": 4}
NUM_MAX = {"byte": 255, "char": 252, "short": 64008, "three": 16194276, "int": 4097152080}
RUST_NUM = {"byte": "u8", "char": "u8", "short": "u16", "three": "u32", "int": "u32"}


def ident(name: str) -> str:
    return f"r#{name}" if name in RUST_KEYWORDS else name


def variant_name(name: str) -> str:
    """An enum value's Rust name: `Self` cannot be one, so SkillTargetType::Self is `SelfTarget`."""
    return "SelfTarget" if name == "Self" else name


def pascal(name: str) -> str:
    if re.fullmatch(r"-?\d+", name):
        return f"Value{name.replace('-', 'Minus')}"
    parts = re.split(r"_", name)
    return "".join(p[:1].upper() + p[1:] for p in parts if p)


def doc(text: str | None, indent: str = "") -> str:
    if not text:
        return ""
    lines = [ln.strip() for ln in text.strip().splitlines()]
    out = []
    for ln in lines:
        out.append(f"{indent}///{' ' + ln if ln else ''}")
    return "\n".join(out) + "\n"


def comment_of(el: ET.Element) -> str | None:
    c = el.find("comment")
    return c.text if c is not None else None


def text_value(el: ET.Element) -> str | None:
    """The hardcoded content of a field/dummy/value element (ignoring <comment> children)."""
    parts = [el.text or ""]
    for child in el:
        parts.append(child.tail or "")
    t = "".join(parts).strip()
    return t if t else None


# --------------------------------------------------------------------------------------------
# Model


@dataclass
class Enum:
    name: str
    underlying: str
    values: list[tuple[str, int, str | None]]
    comment: str | None
    module: list[str]


@dataclass
class Struct:
    name: str
    elements: list[ET.Element]
    comment: str | None
    module: list[str]
    packet: tuple[str, str] | None = None  # (family, action)
    # filled during generation
    fields: list = dc_field(default_factory=list)


class Registry:
    def __init__(self):
        self.enums: dict[str, Enum] = {}
        self.structs: dict[str, Struct] = {}
        self.order: dict[tuple, list] = {}  # module -> list of items (Enum | Struct) in order

    def add(self, item):
        key = tuple(item.module)
        self.order.setdefault(key, []).append(item)
        if isinstance(item, Enum):
            assert item.name not in self.enums, item.name
            self.enums[item.name] = item
        else:
            assert item.name not in self.structs, item.name
            self.structs[item.name] = item

    def path(self, name: str, from_module: list[str]) -> str:
        item = self.enums.get(name) or self.structs.get(name)
        if item is None:
            raise SystemExit(f"unknown type {name}")
        if item.module == from_module:
            return name
        return "crate::" + "::".join(["generated", *item.module, name]) if item.module else f"crate::generated::{name}"


REG = Registry()


def load(xml_dir: str):
    for rel, module in MODULES:
        root = ET.parse(os.path.join(xml_dir, rel)).getroot()
        for el in root:
            if el.tag == "enum":
                values = []
                for v in el.findall("value"):
                    values.append((variant_name(v.get("name")), int(text_value(v)), comment_of(v)))
                REG.add(Enum(el.get("name"), el.get("type"), values, comment_of(el), module))
            elif el.tag == "struct":
                REG.add(Struct(el.get("name"), list(el), comment_of(el), module))
            elif el.tag == "packet":
                fam, act = el.get("family"), el.get("action")
                side = module[-1]
                name = f"{fam}{act}{'Client' if side == 'client' else 'Server'}Packet"
                REG.add(Struct(name, list(el), comment_of(el), module, (fam, act)))


# --------------------------------------------------------------------------------------------
# Types


def split_type(t: str) -> tuple[str, str | None]:
    if ":" in t:
        a, b = t.split(":", 1)
        return a, b
    return t, None


def underlying_of(t: str) -> str | None:
    """The numeric wire type of an enum or bool type reference, or None if not such a type."""
    base, over = split_type(t)
    if base == "bool":
        return over or "char"
    if base in REG.enums:
        return over or REG.enums[base].underlying
    return None


def fixed_size_of_type(t: str) -> int | None:
    base, _ = split_type(t)
    if base in NUMERIC:
        return NUMERIC[base]
    u = underlying_of(t)
    if u is not None:
        return NUMERIC[u]
    if base in REG.structs:
        return struct_fixed_size(REG.structs[base].elements)
    return None  # strings, blobs


def struct_fixed_size(elements) -> int | None:
    total = 0
    for el in elements:
        if el.tag == "comment":
            continue
        if el.tag in ("chunked", "switch", "break"):
            return None
        if el.get("optional") == "true":
            return None
        if el.tag in ("field", "length", "dummy"):
            base, _ = split_type(el.get("type"))
            if base in ("string", "encoded_string"):
                ln = el.get("length")
                if ln is not None and ln.isdigit():
                    total += int(ln)
                    continue
                if el.tag == "field" and el.get("length") is None and text_value(el) is not None:
                    total += len(text_value(el))
                    continue
                return None
            if base == "blob":
                return None
            s = fixed_size_of_type(el.get("type"))
            if s is None:
                return None
            total += s
        elif el.tag == "array":
            ln = el.get("length")
            if ln is None or not ln.isdigit() or el.get("delimited") == "true":
                return None
            s = fixed_size_of_type(el.get("type"))
            if s is None:
                return None
            total += s * int(ln)
    return total


def rust_type(t: str, module: list[str]) -> str:
    base, _ = split_type(t)
    if base in RUST_NUM:
        return RUST_NUM[base]
    if base == "bool":
        return "bool"
    if base in ("string", "encoded_string"):
        return "String"
    if base == "blob":
        # Bytes, so a blob decoded from a shared buffer is a slice of it (no copy) and a
        # server sends the same file to many clients without copying it per download.
        return "bytes::Bytes"
    return REG.path(base, module)


# --------------------------------------------------------------------------------------------
# Code generation for one struct


class StructGen:
    """Generates the Rust struct, its switch-data enums and case structs, and the EoSerialize impl."""

    def __init__(self, st: Struct, out: list[str]):
        self.st = st
        self.mod = st.module
        self.out = out
        self.fields = []  # (rust_name, rust_type, doc, xml_name, reflect_expr)
        self.ser: list[str] = []
        self.de: list[str] = []
        self.reflect: list[str] = []
        self.lengths: dict[str, dict] = {}  # length name -> {type, offset, optional, user}
        self.field_types: dict[str, str] = {}  # xml field name -> xml type
        self.extra_items: list[Struct] = []  # case structs to generate after this one
        self.chunk_counter = 0
        self.case_elements: dict[str, list] = {}
        # `arbitrary` feature: code building a random *valid* value (one that round-trips).
        self.arb: list[str] = []
        self.in_chunked = False
        self.has_dummy = any(el.tag == "dummy" for el in st.elements)

    # -- helpers -------------------------------------------------------------------------------
    def where(self, name):
        return f"{self.st.name}.{name}"

    def find_length_user(self, length_name, elements):
        for el in elements:
            if el.tag in ("field", "array") and el.get("length") == length_name:
                return el
            if el.tag == "chunked":
                r = self.find_length_user(length_name, list(el))
                if r is not None:
                    return r
        return None

    # -- elements ------------------------------------------------------------------------------
    def gen(self):
        self.elements(self.st.elements, top=True)

    def elements(self, elements, top=False, in_chunked=False):
        for el in elements:
            tag = el.tag
            if tag == "comment":
                continue
            if tag == "chunked":
                # Chunked sections sanitize 0xFF in strings when writing and split on breaks when
                # reading; both modes are restored afterwards so nested structs compose.
                self.chunk_counter += 1
                n = self.chunk_counter
                self.ser.append(f"let saved_sanitization_{n} = writer.string_sanitization(); writer.set_string_sanitization(true);")
                self.de.append(f"let saved_chunked_{n} = reader.chunked_reading_mode(); reader.set_chunked_reading_mode(true);")
                was = self.in_chunked
                self.in_chunked = True
                self.elements(list(el), in_chunked=True)
                self.in_chunked = was
                self.ser.append(f"writer.set_string_sanitization(saved_sanitization_{n});")
                self.de.append(f"reader.set_chunked_reading_mode(saved_chunked_{n});")
            elif tag == "break":
                self.ser.append("writer.add_byte(0xFF);")
                self.de.append("reader.next_chunk()?;")
            elif tag == "dummy":
                self.dummy(el)
            elif tag == "length":
                self.length(el, elements)
            elif tag == "field":
                self.field(el)
            elif tag == "array":
                self.array(el)
            elif tag == "switch":
                self.switch(el)
            else:
                raise SystemExit(f"{self.st.name}: unknown element {tag}")

    def dummy(self, el):
        t = el.get("type")
        v = text_value(el)
        self.ser.append(f"if writer.len() == start_len {{ {self.write_const(t, v, 'dummy')} }}")
        self.de.append(f"{self.read_discard(t)}")

    def write_const(self, t, v, what):
        base, _ = split_type(t)
        if base == "string":
            return f"writer.add_string({rust_str(v)});"
        if base == "encoded_string":
            return f"writer.add_encoded_string({rust_str(v)});"
        if base == "byte":
            return f"writer.add_byte({int(v)});"
        if base in NUMERIC:
            return f"writer.add_{base}({int(v)}).map_err(|e| e.in_field({rust_str(self.where(what))}))?;"
        raise SystemExit(f"{self.st.name}: hardcoded value of type {t}")

    def read_discard(self, t, length=None):
        base, _ = split_type(t)
        if base == "string":
            return "let _ = reader.get_string();" if length is None else f"let _ = reader.get_fixed_string({length}, false);"
        if base == "encoded_string":
            return "let _ = reader.get_encoded_string();" if length is None else f"let _ = reader.get_fixed_encoded_string({length}, false);"
        if base in NUMERIC:
            return f"let _ = reader.get_{base}();"
        raise SystemExit(f"{self.st.name}: dummy of type {t}")

    def length(self, el, siblings):
        name = el.get("name")
        t = el.get("type")
        offset = int(el.get("offset", "0"))
        user = self.find_length_user(name, self.st.elements) or self.find_length_user(name, siblings)
        if user is None:
            raise SystemExit(f"{self.st.name}: length {name} has no user")
        optional = el.get("optional") == "true"
        assert not optional, f"{self.st.name}: optional length fields are not used by the spec"
        self.lengths[name] = {"type": t, "offset": offset}
        uname = ident(user.get("name"))
        user_base, _ = split_type(user.get("type"))
        if user.tag == "field" and user_base in ("string", "encoded_string"):
            count = f"crate::serialize::windows_1252_len(&self.{uname})"
        else:
            count = f"self.{uname}.len()"
        rt = RUST_NUM[t]
        lim = {"byte": "255", "char": "252", "short": "64008", "three": "16194276", "int": "4097152080"}[t]
        # The wire value is the real length minus the offset (offset -1: the file stores
        # length + 1); a length that does not fit its type is an error, not a wrap.
        var = f"{ident(name)}_value"
        wire = count if offset == 0 else f"{count} + {-offset}" if offset < 0 else f"{count}.saturating_sub({offset})"
        self.ser.append(
            f"let {var} = {wire};"
            f" if {var} > {lim} {{ return Err(crate::EncodeError::TooLong {{ field: {rust_str(self.where(user.get('name')))}, actual: {count}, max: {lim} }}); }}"
        )
        if t == "byte":
            self.ser.append(f"writer.add_byte({var} as u8);")
        else:
            self.ser.append(
                f"writer.add_{t}({var} as {rt}).map_err(|e| e.in_field({rust_str(self.where(name))}))?;"
            )
        if offset == 0:
            self.de.append(f"let {ident(name)} = reader.get_{t}() as usize;")
        else:
            self.de.append(f"let {ident(name)} = (i64::from(reader.get_{t}()) + ({offset})).max(0) as usize;")

    # fields --------------------------------------------------------------------------------
    def field(self, el):
        name = el.get("name")
        t = el.get("type")
        value = text_value(el)
        optional = el.get("optional") == "true"
        length = el.get("length")
        padded = el.get("padded") == "true"
        base, _ = split_type(t)
        if name is None:
            # An unnamed hardcoded value: written, read and discarded.
            assert value is not None
            self.ser.append(self.write_const(t, value, "constant"))
            ln = length if length is not None else None
            self.de.append(self.read_discard(t, ln))
            return
        if value is not None:
            # A named hardcoded value: not stored; reflected as its constant.
            self.ser.append(self.write_const(t, value, name))
            self.de.append(self.read_discard(t, length))
            self.reflect.append(f"({rust_str(name)}, {self.const_reflect(t, value)})")
            return
        self.field_types[name] = t
        rt = rust_type(t, self.mod)
        ty = f"Option<{rt}>" if optional else rt
        self.fields.append((ident(name), ty, comment_of(el), name))
        rname = ident(name)
        arb_val = self.arb_value(t, length, padded)
        if optional:
            # Optional fields are read while data remains, so a present one may not follow an
            # absent one; and where a dummy stands in for an empty packet, the dummy would be
            # read as the field, so such fields are always present.
            cond = "optional_open" if self.has_dummy else "optional_open && u.arbitrary::<bool>()?"
            self.arb.append(f"let {rname} = if {cond} {{ Some({arb_val}) }} else {{ optional_open = false; None }};")
        else:
            self.arb.append(f"let {rname} = {arb_val};")
        if optional:
            self.ser.append(f"if let Some(value) = &self.{rname} {{ {self.write_value(t, 'value', name, length, padded, by_ref=True)} }}")
            self.de.append(f"let {rname} = if reader.remaining() > 0 {{ Some({self.read_value(t, length, padded)}) }} else {{ None }};")
            self.reflect.append(f"({rust_str(name)}, match &self.{rname} {{ Some(value) => {self.reflect_value(t, 'value', by_ref=True)}, None => crate::reflect::Value::Absent }})")
        else:
            self.ser.append(self.write_value(t, f"self.{rname}", name, length, padded, by_ref=False))
            self.de.append(f"let {rname} = {self.read_value(t, length, padded)};")
            self.reflect.append(f"({rust_str(name)}, {self.reflect_value(t, f'self.{rname}', by_ref=False)})")

    def arb_value(self, t, length, padded, nonempty=False):
        base, over = split_type(t)
        if base == "byte":
            return "u.arbitrary::<u8>()?"
        if base == "int":
            return "crate::arbitrary_support::int(u)?"
        if base in NUMERIC:
            return f"u.int_in_range(0..={NUM_MAX[base]}{RUST_NUM[base]})?"
        if base == "bool":
            return "u.arbitrary::<bool>()?"
        if base in ("string", "encoded_string"):
            lo = 1 if nonempty else 0
            if length is None:
                return f"crate::arbitrary_support::string(u, {lo}, 12)?"
            if length.isdigit():
                n = int(length)
                return f"crate::arbitrary_support::string(u, {0 if padded else n}, {n})?"
            info = self.lengths.get(length)
            mx = min(12, NUM_MAX[info["type"]] + info["offset"]) if info else 12
            return f"crate::arbitrary_support::string(u, {lo}, {mx})?"
        if base == "blob":
            return "bytes::Bytes::from(u.arbitrary::<Vec<u8>>()?)"
        if base in REG.enums:
            u_ = underlying_of(t)
            return f"{rust_type(t, self.mod)}::from_u32(crate::arbitrary_support::pick(u, {rust_type(t, self.mod)}::KNOWN, {NUM_MAX[u_]})?)"
        if base in REG.structs:
            return f"<{rust_type(t, self.mod)} as arbitrary::Arbitrary>::arbitrary(u)?"
        raise SystemExit(f"{self.st.name}: no arbitrary for {t}")

    def const_reflect(self, t, value):
        base, _ = split_type(t)
        if base in ("string", "encoded_string"):
            return f"crate::reflect::Value::Str({rust_str(value)}.to_owned())"
        return f"crate::reflect::Value::Int({int(value)})"

    def write_value(self, t, expr, name, length, padded, by_ref):
        """Rust statement writing `expr` (a place expression, or a reference when by_ref)."""
        base, _ = split_type(t)
        where = rust_str(self.where(name))
        val = f"*{expr}" if by_ref else expr
        ref = expr if by_ref else f"&{expr}"
        if base == "byte":
            return f"writer.add_byte({val});"
        if base in NUMERIC:
            return f"writer.add_{base}({val}).map_err(|e| e.in_field({where}))?;"
        if base == "bool":
            u = underlying_of(t)
            if u == "byte":
                return f"writer.add_byte(u8::from({val}));"
            return f"writer.add_{u}({RUST_NUM[u]}::from({val})).map_err(|e| e.in_field({where}))?;"
        if base in ("string", "encoded_string"):
            enc = "encoded_" if base == "encoded_string" else ""
            if length is None:
                return f"writer.add_{enc}string({ref});"
            if length.isdigit():
                return f"writer.add_fixed_{enc}string({ref}, {length}, {str(padded).lower()}).map_err(|e| e.in_field({where}))?;"
            # length from a <length> field written before: the string is written whole.
            return f"writer.add_{enc}string({ref});"
        if base == "blob":
            return f"writer.add_bytes({ref});"
        if base in REG.enums:
            u = underlying_of(t)
            return f"crate::serialize::write_enum_value(writer, {RUST_NUM_KIND[u]}, ({val}).to_u32()).map_err(|e| e.in_field({where}))?;"
        if base in REG.structs:
            return f"{expr}.serialize(writer)?;"
        raise SystemExit(f"{self.st.name}: cannot write type {t}")

    def read_value(self, t, length, padded):
        base, _ = split_type(t)
        if base in NUMERIC:
            return f"reader.get_{base}()"
        if base == "bool":
            u = underlying_of(t)
            return f"reader.get_{u}() != 0"
        if base in ("string", "encoded_string"):
            enc = "encoded_" if base == "encoded_string" else ""
            if length is None:
                return f"reader.get_{enc}string()"
            ln = length if length.isdigit() else ident(length)
            return f"reader.get_fixed_{enc}string({ln}, {str(padded).lower()})"
        if base == "blob":
            return "reader.get_blob(reader.remaining())"
        if base in REG.enums:
            u = underlying_of(t)
            return f"{rust_type(t, self.mod)}::from_u32(u32::from(reader.get_{u}()))"
        if base in REG.structs:
            return f"{rust_type(t, self.mod)}::deserialize(reader)?"
        raise SystemExit(f"{self.st.name}: cannot read type {t}")

    def reflect_value(self, t, expr, by_ref):
        base, _ = split_type(t)
        val = f"*{expr}" if by_ref else expr
        ref = expr if by_ref else f"&{expr}"
        if base in NUMERIC:
            return f"crate::reflect::Value::Int(i64::from({val}))"
        if base == "bool":
            return f"crate::reflect::Value::Bool({val})"
        if base in ("string", "encoded_string"):
            return f"crate::reflect::Value::Str({expr}.clone())"
        if base == "blob":
            return f"crate::reflect::Value::Bytes({expr}.to_vec())"
        if base in REG.enums:
            return f"crate::reflect::Value::Int(i64::from(({val}).to_u32()))"
        return f"crate::reflect::Reflect::reflect({ref})"

    # arrays --------------------------------------------------------------------------------
    def array(self, el):
        name = el.get("name")
        t = el.get("type")
        length = el.get("length")
        optional = el.get("optional") == "true"
        delimited = el.get("delimited") == "true"
        trailing = el.get("trailing-delimiter", "true") == "true"
        assert not optional, f"{self.st.name}.{name}: optional arrays are not used by the spec"
        base, _ = split_type(t)
        rt = rust_type(t, self.mod)
        rname = ident(name)
        where = rust_str(self.where(name))
        if length is not None and length.isdigit() and not delimited and base in NUMERIC:
            # A fixed count of numbers is a Rust array: its length cannot be wrong, and
            # decoding it allocates nothing (missing bytes read as 0, as for a lone number).
            self.fixed_number_array(name, rname, t, rt, base, int(length), el)
            return
        self.fields.append((rname, f"Vec<{rt}>", comment_of(el), name))
        # Elements of a delimited array without a count are read while their chunk has data,
        # so each must write at least one byte.
        arb_elem = self.arb_value(t, None, False, nonempty=delimited and length is None)
        if length is not None and length.isdigit():
            arb_count = f"{length}usize"
        elif length is not None:
            info = self.lengths[length]
            arb_count = f"u.int_in_range(0..={min(4, NUM_MAX[info['type']] + info['offset'])}usize)?"
        else:
            arb_count = "u.int_in_range(0..=4usize)?"
        if delimited and length is None and base in REG.structs:
            # A struct element must also start its chunk with data: keep only those that do.
            self.arb.append(
                f"let mut {rname} = Vec::new(); for _ in 0..{arb_count} {{ let element = {arb_elem}; "
                f"if crate::arbitrary_support::starts_chunk(&element) {{ {rname}.push(element); }} }}"
            )
        else:
            self.arb.append(f"let mut {rname} = Vec::new(); for _ in 0..{arb_count} {{ {rname}.push({arb_elem}); }}")
        # serialize
        ser = []
        if length is not None and length.isdigit():
            ser.append(
                f"if self.{rname}.len() != {length} {{ return Err(crate::EncodeError::WrongLength {{ field: {where}, expected: {length}, actual: self.{rname}.len() }}); }}"
            )
        ser.append(f"for (index, item) in self.{rname}.iter().enumerate() {{" if delimited and not trailing else f"for item in &self.{rname} {{")
        if delimited and not trailing:
            ser.append("if index > 0 { writer.add_byte(0xFF); }")
        ser.append(self.write_value(t, "item", name, None, False, by_ref=True))
        if delimited and trailing:
            ser.append("writer.add_byte(0xFF);")
        ser.append("}")
        self.ser.extend(ser)
        # deserialize
        de = []
        elem = self.read_value(t, None, False)
        step_after = ""
        if delimited:
            if trailing:
                step_after = "reader.next_chunk()?;"
            else:
                step_after = "if index + 1 < count { reader.next_chunk()?; }"
        if length is not None:
            if length.isdigit():
                de.append(f"let count = {length}usize;")
                de.append(f"let mut {rname} = Vec::with_capacity(count);")
                de.append("for index in 0..count {" if step_after.startswith("if index") else "for _ in 0..count {")
            else:
                # A count read from the data: stop once the input is exhausted, so a short
                # packet cannot make us build thousands of default elements.
                de.append(f"let count = {ident(length)};")
                de.append(f"let mut {rname} = Vec::with_capacity(count.min(64));")
                de.append("for index in 0..count {" if step_after.startswith("if index") else "for _ in 0..count {")
                de.append("if reader.is_exhausted() { break; }")
            de.append(f"{rname}.push({elem});")
            if step_after:
                de.append(step_after)
            de.append("}")
        else:
            size = fixed_size_of_type(t)
            if delimited:
                de.append(f"let mut {rname} = Vec::new();")
                de.append("while reader.remaining() > 0 {")
                de.append(f"{rname}.push({elem});")
                de.append("reader.next_chunk()?;")
                de.append("}")
            elif size is not None and size > 0:
                de.append(f"let count = reader.remaining() / {size};")
                de.append(f"let mut {rname} = Vec::with_capacity(count);")
                de.append(f"for _ in 0..count {{ {rname}.push({elem}); }}")
            else:
                de.append(f"let mut {rname} = Vec::new();")
                de.append("while reader.remaining() > 0 {")
                de.append("let before = reader.position();")
                de.append(f"{rname}.push({elem});")
                de.append("if reader.position() == before { break; }")
                de.append("}")
        self.de.extend(de)
        if base == "byte":
            self.reflect.append(f"({rust_str(name)}, crate::reflect::Value::Bytes(self.{rname}.clone()))")
        else:
            inner = self.reflect_value(t, "item", by_ref=True)
            self.reflect.append(
                f"({rust_str(name)}, crate::reflect::Value::Array(self.{rname}.iter().map(|item| {inner}).collect()))"
            )

    def fixed_number_array(self, name, rname, t, rt, base, length, el):
        self.fields.append((rname, f"[{rt}; {length}]", comment_of(el), name))
        arb_elem = self.arb_value(t, None, False)
        self.arb.append(f"let mut {rname} = [0 as {rt}; {length}]; for slot in {rname}.iter_mut() {{ *slot = {arb_elem}; }}")
        self.ser.append(f"for item in &self.{rname} {{")
        self.ser.append(self.write_value(t, "item", name, None, False, by_ref=True))
        self.ser.append("}")
        elem = self.read_value(t, None, False)
        self.de.append(f"let {rname}: [{rt}; {length}] = core::array::from_fn(|_| {elem});")
        if base == "byte":
            self.reflect.append(f"({rust_str(name)}, crate::reflect::Value::Bytes(self.{rname}.to_vec()))")
        else:
            inner = self.reflect_value(t, "item", by_ref=True)
            self.reflect.append(
                f"({rust_str(name)}, crate::reflect::Value::Array(self.{rname}.iter().map(|item| {inner}).collect()))"
            )

    # switches ------------------------------------------------------------------------------
    def switch(self, el):
        fname = el.get("field")
        ft = self.field_types.get(fname)
        if ft is None:
            raise SystemExit(f"{self.st.name}: switch on unknown field {fname}")
        data_enum = f"{self.st.name}{pascal(fname)}Data"
        data_field = f"{fname}_data"
        base, _ = split_type(ft)
        is_enum = base in REG.enums
        variants = []  # (variant, case struct name, match pattern or None for default)
        for case in el.findall("case"):
            children = [c for c in case if c.tag != "comment"]
            default = case.get("default") == "true"
            value = case.get("value")
            if default:
                vname = "Default"
                pattern = "_"
            else:
                vname = pascal(value)
                if is_enum:
                    en = REG.enums[base]
                    if any(v[0] == variant_name(value) for v in en.values):
                        pattern = f"{rust_type(ft, self.mod)}::{variant_name(value)}"
                    else:
                        pattern = f"{rust_type(ft, self.mod)}::Unrecognized({int(value)})"
                else:
                    pattern = str(int(value))
            if not children:
                variants.append((None, None, pattern, comment_of(case)))
                continue
            case_name = f"{data_enum}{vname}"
            self.case_elements[case_name] = children
            self.extra_items.append(Struct(case_name, children, comment_of(case) or f"Data for `{data_enum}::{vname}`.", self.mod))
            variants.append((vname, case_name, pattern, comment_of(case)))
        self.fields.append((ident(data_field), f"Option<{data_enum}>", f"Data that depends on `{fname}`.", data_field))
        # the enum
        enum_code = [f"/// Data of [`{self.st.name}`] that depends on its `{fname}` field.",
                     "#[derive(Debug, Clone, PartialEq, Eq)]", f"pub enum {data_enum} {{"]
        for vname, case_name, _, c in variants:
            if vname:
                enum_code.append(doc(c, "    ") + f"    {vname}({case_name}),")
        enum_code.append("}")
        enum_code.append(f"impl crate::reflect::Reflect for {data_enum} {{ fn reflect(&self) -> crate::reflect::Value {{ match self {{")
        any_variant = False
        for vname, case_name, _, _ in variants:
            if vname:
                any_variant = True
                enum_code.append(f"Self::{vname}(data) => data.reflect(),")
        if not any_variant:
            enum_code.append("_ => crate::reflect::Value::Absent,")
        enum_code.append("} } }")
        self.pending_enums.append("\n".join(enum_code))
        rfield = ident(data_field)
        # serialize: write the data given (eolib does not check it against the field either).
        ser = [f"match &self.{rfield} {{"]
        for vname, _, _, _ in variants:
            if vname:
                ser.append(f"Some({data_enum}::{vname}(data)) => data.serialize(writer)?,")
        # Cases whose content is only constants (the "NO"/"OK" after a reply code) are written
        # from the switch field alone when no data is given, so callers need not build them.
        constant_cases = [(vname, case_name, pattern) for vname, case_name, pattern, _ in variants
                          if vname and not has_stored_fields(self.case_elements[case_name])]
        if any_variant:
            if constant_cases:
                ser.append(f"None => match self.{ident(fname)} {{")
                for vname, case_name, pattern in constant_cases:
                    ser.append(f"{pattern} => {case_name}.serialize(writer)?,")
                if not any(p == "_" for _, _, p in constant_cases):
                    ser.append("_ => {}")
                ser.append("},")
            else:
                ser.append("None => {}")
        else:
            ser.append("_ => {}")
        ser.append("}")
        self.ser.extend(ser)
        # deserialize
        de = [f"let {rfield} = match {ident(fname)} {{"]
        seen_default = False
        for vname, case_name, pattern, _ in variants:
            if pattern == "_":
                seen_default = True
            if vname:
                de.append(f"{pattern} => Some({data_enum}::{vname}({case_name}::deserialize(reader)?)),")
            else:
                de.append(f"{pattern} => None,")
        if not seen_default:
            de.append("_ => None,")
        de.append("};")
        self.de.extend(de)
        self.arb.extend(self.arb_switch(de))
        self.reflect.append(
            f"({rust_str(data_field)}, match &self.{rfield} {{ Some(data) => crate::reflect::Reflect::reflect(data), None => crate::reflect::Value::Absent }})"
        )

    pending_enums: list[str]

    @staticmethod
    def arb_switch(de_lines):
        out = []
        for line in de_lines:
            # `Case::deserialize(reader)?` -> `<Case as arbitrary::Arbitrary>::arbitrary(u)?`
            out.append(re.sub(r"\((\w+)::deserialize\(reader\)\?\)", r"(<\1 as arbitrary::Arbitrary>::arbitrary(u)?)", line))
        return out

    # -- output --------------------------------------------------------------------------------
    def emit(self):
        self.pending_enums = []
        self.gen()
        st = self.st
        o = self.out
        o.append(doc(st.comment))
        o.append("#[derive(Debug, Clone, PartialEq, Eq, Default)]")
        if self.fields:
            o.append(f"pub struct {st.name} {{")
            for rname, ty, c, _ in self.fields:
                o.append(doc(c, "    ") + f"    pub {rname}: {ty},")
            o.append("}")
        else:
            o.append(f"pub struct {st.name};")
        o.extend(self.pending_enums)
        field_names = [f[0] for f in self.fields]
        o.append(f"impl crate::EoSerialize for {st.name} {{")
        o.append("#[allow(unused_variables)]")
        o.append("fn serialize(&self, writer: &mut crate::EoWriter) -> Result<(), crate::EncodeError> {")
        o.append("#[allow(unused_imports)] use crate::EoSerialize as _;")
        o.append("let start_len = writer.len(); let _ = start_len;")
        o.extend(self.ser)
        o.append("Ok(()) }")
        o.append("#[allow(unused_variables)]")
        if not st.packet:
            # Nested structs are read from their packets' code, often in another codegen
            # unit: let them be inlined there.
            o.append("#[inline]")
        o.append("fn deserialize(reader: &mut crate::EoReader<'_>) -> Result<Self, crate::DecodeError> {")
        o.extend(self.de)
        if self.fields:
            o.append(f"Ok(Self {{ {', '.join(field_names)} }}) }}")
        else:
            o.append("Ok(Self) }")
        o.append("}")
        o.append('#[cfg(feature = "arbitrary")]')
        o.append(f"impl<'a> arbitrary::Arbitrary<'a> for {st.name} {{")
        o.append("#[allow(unused_variables, unused_mut, unused_assignments)]")
        o.append("fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {")
        o.append("let mut optional_open = true;")
        o.extend(self.arb)
        if self.fields:
            o.append(f"Ok(Self {{ {', '.join(field_names)} }}) }} }}")
        else:
            o.append("Ok(Self) } }")
        o.append(f"impl crate::reflect::Reflect for {st.name} {{")
        o.append("fn reflect(&self) -> crate::reflect::Value {")
        o.append(f"crate::reflect::Value::Struct(vec![{', '.join(self.reflect)}])")
        o.append("} }")
        if st.packet:
            fam, act = st.packet
            o.append(f"impl crate::serialize::Packet for {st.name} {{")
            o.append(f"const FAMILY: crate::generated::net::PacketFamily = crate::generated::net::PacketFamily::{fam};")
            o.append(f"const ACTION: crate::generated::net::PacketAction = crate::generated::net::PacketAction::{act};")
            o.append("}")
        for extra in self.extra_items:
            StructGen(extra, o).emit()


RUST_NUM_KIND = {
    "byte": "crate::serialize::NumberKind::Byte",
    "char": "crate::serialize::NumberKind::Char",
    "short": "crate::serialize::NumberKind::Short",
    "three": "crate::serialize::NumberKind::Three",
    "int": "crate::serialize::NumberKind::Int",
}


def has_stored_fields(elements) -> bool:
    """Whether a struct made of these elements stores anything (else it is all constants)."""
    for el in elements:
        if el.tag == "chunked" and has_stored_fields(list(el)):
            return True
        if el.tag in ("array", "switch"):
            return True
        if el.tag == "field" and el.get("name") is not None and text_value(el) is None:
            return True
    return False


def rust_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --------------------------------------------------------------------------------------------
# Enums


def emit_enum(en: Enum, o: list[str]):
    o.append(doc(en.comment))
    o.append("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]")
    o.append(f"pub enum {en.name} {{")
    for i, (name, value, c) in enumerate(en.values):
        o.append(doc(c, "    ") + ("    #[default]\n" if i == 0 else "") + f"    {name},")
    o.append("    /// A value the spec does not name, kept so it can be written back unchanged.")
    o.append("    Unrecognized(u32),")
    o.append("}")
    o.append(f"impl {en.name} {{")
    o.append("/// The raw values the spec names.")
    o.append(f"pub const KNOWN: &'static [u32] = &[{', '.join(str(v) for _, v, _ in en.values)}];")
    o.append("/// The enum for a raw value (unknown values become `Unrecognized`).")
    o.append("#[must_use] pub const fn from_u32(value: u32) -> Self { match value {")
    for name, value, _ in en.values:
        o.append(f"{value} => Self::{name},")
    o.append("other => Self::Unrecognized(other), } }")
    o.append("/// The raw value of this enum.")
    o.append("#[must_use] pub const fn to_u32(self) -> u32 { match self {")
    for name, value, _ in en.values:
        o.append(f"Self::{name} => {value},")
    o.append("Self::Unrecognized(other) => other, } }")
    o.append("}")
    o.append(f"impl From<u32> for {en.name} {{ fn from(value: u32) -> Self {{ Self::from_u32(value) }} }}")
    o.append(f"impl From<{en.name}> for u32 {{ fn from(value: {en.name}) -> Self {{ value.to_u32() }} }}")
    if en.underlying in ("byte", "char"):
        o.append(f"impl From<u8> for {en.name} {{ fn from(value: u8) -> Self {{ Self::from_u32(u32::from(value)) }} }}")


# --------------------------------------------------------------------------------------------
# Packet dispatch enums


def emit_dispatch(side: str, o: list[str]):
    packets = [s for s in REG.order[("net", side)] if isinstance(s, Struct) and s.packet]
    name = "ClientPacket" if side == "client" else "ServerPacket"
    o.append(f"/// Every {side} packet of the spec, dispatched on (family, action).")
    o.append("#[derive(Debug, Clone, PartialEq, Eq)]")
    o.append(f"pub enum {name} {{")
    for p in packets:
        fam, act = p.packet
        o.append(f"    {fam}{act}({p.name}),")
    o.append("}")
    o.append(f"impl {name} {{")
    o.append("/// Decodes a packet's payload (the bytes after family, action and any sequence) by the")
    o.append("/// spec's rules, which read missing bytes as zeros (the official software relies on it).")
    o.append("pub fn decode(family: super::PacketFamily, action: super::PacketAction, payload: &[u8]) -> Result<Self, crate::DecodeError> {")
    o.append("Self::decode_from(family, action, &mut crate::EoReader::new(payload))")
    o.append("}")
    o.append("/// As [`Self::decode`], from a shared buffer: blobs (file contents) are slices of it, not copies.")
    o.append("pub fn decode_shared(family: super::PacketFamily, action: super::PacketAction, payload: &bytes::Bytes) -> Result<Self, crate::DecodeError> {")
    o.append("Self::decode_from(family, action, &mut crate::EoReader::new_shared(payload))")
    o.append("}")
    o.append("/// Like [`Self::decode`], but a payload too short for its packet (any field read past")
    o.append("/// the end of the data or of its chunk) is a [`crate::DecodeError::Truncated`] error.")
    o.append("pub fn decode_strict(family: super::PacketFamily, action: super::PacketAction, payload: &[u8]) -> Result<Self, crate::DecodeError> {")
    o.append("let reader = &mut crate::EoReader::new(payload);")
    o.append("let packet = Self::decode_from(family, action, reader)?;")
    o.append("if reader.ran_out() { return Err(crate::DecodeError::Truncated { what: packet.name(), offset: reader.position() }); }")
    o.append("Ok(packet)")
    o.append("}")
    o.append("fn decode_from(family: super::PacketFamily, action: super::PacketAction, reader: &mut crate::EoReader<'_>) -> Result<Self, crate::DecodeError> {")
    o.append("use crate::EoSerialize as _;")
    o.append("use super::PacketFamily as F; use super::PacketAction as A;")
    # Each arm's result is the function's result, so the packet is built in the caller's
    # slot; wrapping one `match` in `Ok(..)` made a whole-enum temporary to copy from.
    o.append("match (family, action) {")
    for p in packets:
        fam, act = p.packet
        o.append(f"(F::{fam}, A::{act}) => {p.name}::deserialize(reader).map(Self::{fam}{act}),")
    o.append("_ => Err(crate::DecodeError::UnknownPacket { family: family.to_u32() as u8, action: action.to_u32() as u8 }),")
    o.append("} }")
    o.append("/// The packet's family.")
    o.append("#[must_use] pub fn family(&self) -> super::PacketFamily { match self {")
    for p in packets:
        fam, act = p.packet
        o.append(f"Self::{fam}{act}(_) => super::PacketFamily::{fam},")
    o.append("} }")
    o.append("/// The packet's action.")
    o.append("#[must_use] pub fn action(&self) -> super::PacketAction { match self {")
    for p in packets:
        fam, act = p.packet
        o.append(f"Self::{fam}{act}(_) => super::PacketAction::{act},")
    o.append("} }")
    o.append("/// Writes the packet's payload (not its family, action or sequence).")
    o.append("pub fn serialize_payload(&self, writer: &mut crate::EoWriter) -> Result<(), crate::EncodeError> {")
    o.append("use crate::EoSerialize as _;")
    o.append("match self {")
    for p in packets:
        fam, act = p.packet
        o.append(f"Self::{fam}{act}(packet) => packet.serialize(writer),")
    o.append("} }")
    o.append("/// The name of the packet type, for logs and errors.")
    o.append("#[must_use] pub fn name(&self) -> &'static str { match self {")
    for p in packets:
        fam, act = p.packet
        o.append(f"Self::{fam}{act}(_) => \"{p.name}\",")
    o.append("} }")
    o.append("}")
    o.append(f"impl crate::reflect::Reflect for {name} {{ fn reflect(&self) -> crate::reflect::Value {{ match self {{")
    for p in packets:
        fam, act = p.packet
        o.append(f"Self::{fam}{act}(packet) => packet.reflect(),")
    o.append("} } }")
    for p in packets:
        fam, act = p.packet
        o.append(f"impl From<{p.name}> for {name} {{ fn from(packet: {p.name}) -> Self {{ Self::{fam}{act}(packet) }} }}")
    # A list of every packet, for tests and fuzzers that iterate over all of them.
    o.append(f"/// (family, action, type name) of every {side} packet in the spec.")
    o.append(f"pub const ALL_{side.upper()}_PACKETS: &[(super::PacketFamily, super::PacketAction, &str)] = &[")
    for p in packets:
        fam, act = p.packet
        o.append(f"(super::PacketFamily::{fam}, super::PacketAction::{act}, \"{p.name}\"),")
    o.append("];")


# --------------------------------------------------------------------------------------------


HEADER = "// @generated by protocol/codegen/generate.py from the eo-protocol XML. Do not edit by hand.\n"


def main():
    args = sys.argv[1:]
    check = "--check" in args
    args = [a for a in args if a != "--check"]
    xml_dir = args[0] if args else os.path.join(os.path.dirname(ROOT), "shared", "eo-protocol", "xml")
    load(xml_dir)
    # Output files by path relative to the repository root.
    files: dict[str, list[str]] = {}
    children: dict[tuple, set] = {}
    for _, module in MODULES:
        for i in range(len(module)):
            children.setdefault(tuple(module[:i]), set()).add(module[i])
    for _, module in MODULES:
        o: list[str] = [HEADER]
        o.append("#![allow(clippy::all, clippy::pedantic, unused_mut, unused_variables)]")
        o.append("#[allow(unused_imports)] use crate::reflect::Reflect as _;")
        for child in sorted(children.get(tuple(module), [])):
            o.append(f"pub mod {child};")
        for item in REG.order.get(tuple(module), []):
            if isinstance(item, Enum):
                emit_enum(item, o)
            else:
                StructGen(item, o).emit()
        if module == ["net", "client"]:
            emit_dispatch("client", o)
        if module == ["net", "server"]:
            emit_dispatch("server", o)
        if module and tuple(module) in children:
            rel = os.path.join(*module, "mod.rs")
        elif module:
            rel = os.path.join(*module[:-1], module[-1] + ".rs")
        else:
            rel = "mod.rs"
        files[os.path.join("protocol", "src", "generated", rel)] = o
    # For the tests: a macro that calls back once per struct and packet, with our module path,
    # eolib 3.3.2's module path (its `pub` module is `r#pub`; ours is `pubs`) and the name.
    types = [HEADER, "/// Calls `$callback!([our module path] [eolib module path] TypeName)` for every struct and packet.",
             "#[allow(unused_macros)]", "macro_rules! for_each_generated_type {", "    ($callback:ident) => {"]
    for _, module in MODULES:
        ours = " ".join(module)
        theirs = " ".join("r#pub" if m == "pubs" else m for m in module)
        for item in REG.order.get(tuple(module), []):
            if isinstance(item, Struct):
                types.append(f"        $callback!([{ours}] [{theirs}] {item.name});")
    types += ["    };", "}"]
    files[os.path.join("protocol", "tests", "generated", "all_types.rs")] = types

    base = ROOT
    if check:
        import tempfile
        base = tempfile.mkdtemp(prefix="eo-generated-")
    paths = []
    for rel, o in files.items():
        path = os.path.join(base, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write("\n".join(o) + "\n")
        paths.append(path)
    try:
        subprocess.run(["rustfmt", "--edition", "2024", *paths], check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"warning: rustfmt failed: {e}", file=sys.stderr)
    if check:
        stale = []
        for rel in files:
            committed = os.path.join(ROOT, rel)
            if not os.path.exists(committed) or open(committed).read() != open(os.path.join(base, rel)).read():
                stale.append(rel)
        if stale:
            raise SystemExit(f"generated code is stale (run python3 protocol/codegen/generate.py): {stale}")
        print("generated code is up to date")
        return
    n_client = sum(1 for s in REG.order[("net", "client")] if isinstance(s, Struct) and s.packet)
    n_server = sum(1 for s in REG.order[("net", "server")] if isinstance(s, Struct) and s.packet)
    print(f"generated {len(files)} files: {n_client} client packets, {n_server} server packets, "
          f"{len(REG.structs)} structs and packets, {len(REG.enums)} enums")


if __name__ == "__main__":
    main()
