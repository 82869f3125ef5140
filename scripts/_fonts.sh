# Sourced by demo.sh and test.sh: warn when the system lacks the fonts the PDF brief
# needs for Chinese, Japanese and Korean names (Latin, Vietnamese, Cyrillic, Lao, Thai
# and Khmer fonts are bundled under static/brief/fonts). Without them such names print
# as empty boxes, and the brief's font tests fail.
check_cjk_fonts() {
  if command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list ':lang=zh' family 2>/dev/null)" ] \
    && [ -n "$(fc-list ':lang=ja' family 2>/dev/null)" ] && [ -n "$(fc-list ':lang=ko' family 2>/dev/null)" ]; then
    return 0
  fi
  echo "Note: no Chinese/Japanese/Korean fonts found (fc-list :lang=zh). PDF briefs will show" >&2
  echo "      such names as empty boxes. Install them with: sudo apt-get install fonts-noto-cjk" >&2
  return 0
}
check_cjk_fonts
