/**
 * A small script the back office pages load (assets.scripts): the few texts AdminJS and
 * react-select do not take from translations (select placeholders, the session-expired alert)
 * are replaced by Chinese in the browser. The browser tab's title names the page being read
 * (「客户列表 - 客户主数据管家」), taken from the page's heading.
 */
export const ZH_PATCH = `(function () {
  var WORDS = { 'Select...': '请选择…', 'No options': '没有选项', 'Loading...': '加载中…' };
  var alert0 = window.alert;
  window.alert = function (m) {
    if (typeof m === 'string' && m.indexOf('Your session expired') === 0) m = '登录已过期, 即将跳转到登录页。';
    return alert0.call(window, m);
  };
  function fixText(node) { var t = WORDS[node.nodeValue]; if (t) node.nodeValue = t; }
  function fix(root) {
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    var n;
    while ((n = walker.nextNode())) fixText(n);
  }
  var BRAND = document.title || '客户主数据管家';
  function retitle() {
    var heading = document.querySelector('.adminjs_ActionHeader h2, [data-testid^="report-"] h1, [data-testid="dashboard"] h1');
    var text = '';
    // The heading's own text: a list's heading also holds a badge with the record count.
    if (heading) heading.childNodes.forEach(function (n) { if (n.nodeType === 3) text += n.nodeValue; });
    text = text.trim();
    var title = text ? text + ' - ' + BRAND : BRAND;
    if (document.title !== title) document.title = title;
  }
  function start() {
    fix(document.body);
    retitle();
    new MutationObserver(function (records) {
      retitle();
      records.forEach(function (r) {
        if (r.type === 'characterData') fixText(r.target);
        r.addedNodes.forEach(function (node) { if (node.nodeType === 1) fix(node); else if (node.nodeType === 3) fixText(node); });
      });
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
  }
  if (document.body) start(); else document.addEventListener('DOMContentLoaded', start);
})();
`;
