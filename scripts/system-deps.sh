#!/usr/bin/env bash
# System packages the reports use, from Debian: a CJK font for Chinese labels
# (fonts-wqy-microhei), and headless Chromium plus Tesseract's Chinese OCR data
# for the tests that look at a rendered report; chromium-driver (the same version
# as chromium, from the same archive) lets Selenium drive it in the web page's
# test; poppler-utils (pdfinfo, pdffonts, pdftotext) reads the report PDFs back in
# the tests of model/report/pdf.py. Installed only where this runs as root with
# apt-get (CI does); elsewhere it prints the one command to run.
# Nothing here is needed to run the model: without a CJK font the figures fall
# back to English labels with a warning, and the browser tests are skipped.
set -u
PKGS="fonts-wqy-microhei chromium chromium-driver tesseract-ocr tesseract-ocr-chi-sim poppler-utils"
missing=""
for p in $PKGS; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian packages:$missing"
  export DEBIAN_FRONTEND=noninteractive
  (apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing) >/dev/null 2>&1 \
    || echo "warning: could not install$missing (the reports still run; see README)"
  rm -rf "${HOME:-/root}/.cache/matplotlib"      # the font cache hides newly installed fonts
else
  echo "note: for Chinese figure labels and the browser checks, run: sudo apt-get install -y$missing"
fi
exit 0
