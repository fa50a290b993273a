// MathJax settings for pymdownx.arithmatex (generic mode): $...$ inline, $$...$$ displayed.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true
  },
  options: {
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex"
  }
};

// Typeset each page once Material has shown it.  Without a network MathJax is absent and the
// equations stay as TeX source.
document$.subscribe(() => {
  if (!window.MathJax || !MathJax.startup || !MathJax.startup.output) return;
  MathJax.startup.output.clearCache();
  MathJax.typesetClear();
  MathJax.texReset();
  MathJax.typesetPromise();
});
