"""Page and type settings of the report: GB/T 9704-2012 党政机关公文格式 where it applies.

A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (版心 156 mm × 225 mm); title 2号
(22 pt) 方正小标宋简体; body 3号 (16 pt) 仿宋_GB2312, 22 lines × 28 characters a page (fixed line
pitch 225 mm / 22); first-level headings 黑体, second-level 楷体_GB2312; page numbers 4号 (14 pt)
半角宋体 with one-character dashes (— 1 —), odd pages right, even pages left, one character in
from the edge. Tables: 五号 (10.5 pt) 仿宋_GB2312, which fits 表三's ten columns in 156 mm.
"""
from __future__ import annotations

import math

PAGE_W_MM, PAGE_H_MM = 210.0, 297.0
TOP_MM, BOTTOM_MM, LEFT_MM, RIGHT_MM = 37.0, 35.0, 28.0, 26.0
TEXT_W_MM = PAGE_W_MM - LEFT_MM - RIGHT_MM  # 156
TEXT_H_MM = PAGE_H_MM - TOP_MM - BOTTOM_MM  # 225
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28
FOOTER_DISTANCE_MM = 23.0  # page number sits ~7 mm below the text block
HEADER_DISTANCE_MM = 15.0

PT_PER_MM = 72 / 25.4
LINE_PITCH_PT = round(TEXT_H_MM * PT_PER_MM / LINES_PER_PAGE, 2)  # 28.99 pt: "固定值" (Word users type 28.95)
BODY_PT, TITLE_PT, PAGE_NUMBER_PT, TABLE_PT = 16.0, 22.0, 14.0, 10.5
LINE_PITCH_TWIPS = round(LINE_PITCH_PT * 20)
# 28 characters of 16 pt need 448 pt but the line holds 442.2 pt: tighten body text by a quarter
# point per character (w:spacing, twips). A character grid (docGrid linesAndChars + charSpace)
# would do the same in Word, but LibreOffice then gives each 16 pt character two grid cells.
CHAR_SPACING_TWIPS = -math.ceil((BODY_PT - TEXT_W_MM * PT_PER_MM / CHARS_PER_LINE) * 20)  # -5

FONT_TITLE = "方正小标宋简体"
FONT_BODY = "仿宋_GB2312"
FONT_H1 = "黑体"
FONT_H2 = "楷体_GB2312"
FONT_TABLE = "仿宋_GB2312"
FONT_PAGE_NUMBER = "宋体"
LANG = "zh-CN"  # the East Asian language (and the document's)
# Latin text (digits included) is English: with zh-CN there LibreOffice breaks lines inside
# digit runs ("202" / "0"), as it does between any two Chinese characters.
LATIN_LANG = "en-US"
# Word's line-breaking rules for zh-CN (settings.xml noLineBreaksBefore/After): its default
# lists, plus the measure words a number must not be parted from (39件, 109号, 0元).
NO_BREAK_BEFORE = ("!%),.:;?]}¢°·ˇˉ―‖’”…‰′″›℃∶、。〃〉》」』】〕〗〞︶︺︾﹀﹄﹚﹜﹞！＂％＇），．：；？］｝～￠"
                   "件号元项")
NO_BREAK_AFTER = "$([{£¥·‘“〈《「『【〔〖〝﹙﹛﹝＄（．［｛￡￥"

# python-docx style names (ASCII: their ids are the names without spaces)
S_TITLE, S_H1, S_H2, S_H2_CHAR = "GXNB Title", "GXNB Heading 1", "GXNB Heading 2", "GXNB Heading 2 Char"
S_TABLE, S_FOOTER, S_MARK, S_NOTE = "GXNB Table", "GXNB Page Number", "GXNB Unchecked Mark", "GXNB Draft Note"


def style_id(name: str) -> str:
    return name.replace(" ", "")


DRAFT_FILL = "FFF2CC"  # pale yellow shading behind drafted text
MARK_COLOR = "C00000"
