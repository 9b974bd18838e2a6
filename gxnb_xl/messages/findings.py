"""A finding's sentence in one language, from the catalogue (or its rule's message in the format data)."""
from __future__ import annotations

from functools import lru_cache

from . import cell_name, fill, has, say


MAX_OTHERS = 8  # plausible alternatives listed after the likeliest (the relations cannot tell them apart)


def finding_text(f, lang: str = "zh") -> str:
    spec = _spec(f.format)
    if f.rule == "R0":
        what = say(f.key or f"R0.{f.code}", lang, spec=spec, **f.params)
        return say("R0.at", lang, where=_where(spec, f.cells[0], f.addresses.get(f.cells[0]), lang), what=what) \
            if f.cells else what
    rule = _rules(f.format).get(f.rule) if f.format else None
    if f.status == "indeterminate" and rule is not None:
        blanks = f.params.get("blanks", [])
        return say("indeterminate", lang, spec=spec, instance=f.instance, title=rule.title, blanks=blanks[:3],
                   more=f"等 {len(blanks)} 个单元格" if len(blanks) > 3 else "",
                   more_en=" …" if len(blanks) > 3 else "")
    key = f.key or f.code
    if has(key):
        text = say(key, lang, spec=spec, **f.params)
    elif rule is not None:
        params = dict(f.params)
        if lang == "en":
            params.update(params.pop("ids", {}))
        template = rule.message.get(lang) or rule.message.get("zh") or rule.title
        text = fill(template, params, lang, spec)
    else:
        text = fill(str(f.params.get("text", key)), {}, lang)
    if f.suspects:
        text += suspect_sentence(spec, f.suspects, lang)
    if f.explains and f.rule != "R0":
        text += say("explains", lang, list=_join(f.explains, lang).replace("；", "、"))
    elif f.status == "fail" and f.severity == "error" and f.params.get("unlocalised"):
        text += say("suspect.none", lang)
    return text


def suspect_sentence(spec, suspects, lang: str = "zh") -> str:
    """The likeliest fix first; other candidates only when they are plausible slips, never cells
    that merely satisfy the equation."""
    top = suspects[0]
    if top.together_with:
        pairs = [s for s in suspects if s.together_with][:2]
        return say("suspect.pair", lang, list=_join([one_suspect(spec, s, lang) for s in pairs], lang))
    plausible = sorted((s for s in suspects if s.plausible), key=lambda s: -s.score)
    if plausible:
        text = say("suspect.likely", lang, one=one_suspect(spec, plausible[0], lang))
        if len(plausible) > 1:
            text += say("suspect.others", lang, list=_join([one_suspect(spec, s, lang) for s in plausible[1:MAX_OTHERS + 1]], lang))
        return text
    if not top.tied:
        return say("suspect.likely", lang, one=one_suspect(spec, top, lang))
    return say("suspect.tied", lang, list=_join([one_suspect(spec, s, lang) for s in suspects[:5]], lang))


def one_suspect(spec, s, lang: str = "zh") -> str:
    where = (f"（{s.address}）" if lang != "en" else f" ({s.address})") if s.address else ""
    return say("suspect.one", lang, name=cell_name(spec, s.cell, lang), where=where, observed=s.observed,
               suggested=s.suggested, reason=s.reason_text(lang))


def _where(spec, cell: str, address: str | None, lang: str) -> str:
    name = cell_name(spec, cell, lang)
    return say("where.cell", lang, name=name, address=address) if address else name


def _join(items, lang):
    return "; ".join(items) if lang == "en" else "；".join(items)


def _spec(format_id):
    if not format_id:
        return None
    from ..spec import load_spec
    try:
        return load_spec(format_id)
    except Exception:  # an unknown format id: names fall back to ids
        return None


@lru_cache(maxsize=8)
def _rules(format_id: str) -> dict:
    spec = _spec(format_id)
    return {r.id: r for r in spec.rules} if spec is not None else {}
