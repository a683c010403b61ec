/* extract review page: state, text-only DOM helpers, per-document data, corrections.
 * Every piece of document text reaches the page through textContent or a text node,
 * never through innerHTML, so a document cannot inject markup or script.
 * Part of one script: html.py joins base.js, list.js, document.js and review.js, in that
 * order, inside one function scope. */
  var mark = function (name) { if (window.performance && performance.mark) performance.mark(name); };
  mark('review-start');
  var INDEX = JSON.parse(document.getElementById('review-index').textContent);
  var META = INDEX.meta;
  var DOCS = INDEX.docs;
  var LOW = typeof META.low_confidence === 'number' ? META.low_confidence : 0.5;
  var SEP = typeof META.page_separator === 'string' ? META.page_separator : '\n\n';
  var STORE_KEY = 'extract-review:' + META.key;

  var state = {
    shown: [],          // indexes into DOCS after filtering, in list order
    current: -1,        // index into DOCS of the open document
    selected: -1,       // index into the open document's values
    view: 'text',       // 'text' | 'image'
    imagePage: 1,
    corrections: loadCorrections(),
  };
  var detailCache = new Map();

  // ---- small DOM helpers (text only) ------------------------------------------------
  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function show(value) {
    if (value === null || value === undefined || value === '') return '\u2014';
    return String(value);
  }
  function percent(x) { return x === null || x === undefined ? '\u2013' : Math.round(x * 100) + '%'; }

  // ---- data ---------------------------------------------------------------------------
  function details(i) {
    if (!detailCache.has(i)) {
      var node = document.getElementById('d-' + i);
      var d = node ? JSON.parse(node.textContent) : {};
      d.values = d.values || [];
      d.fields = d.fields || [];
      d.children = d.children || [];
      d.conflicts = d.conflicts || [];
      d.checks = d.checks || [];
      d.images = d.images || {};
      d.pageStarts = pageStarts(d.pages || []);
      detailCache.set(i, d);
    }
    return detailCache.get(i);
  }
  function pageStarts(pages) {
    var starts = [], at = 0;
    for (var p = 0; p < pages.length; p++) { starts.push(at); at += pages[p].length + SEP.length; }
    return starts;
  }
  DOCS.forEach(function (doc, i) {
    doc.i = i;
    var parts = [doc.name, doc.source, doc.id, doc.error || ''];
    Object.keys(doc.fv || {}).forEach(function (k) { parts.push(doc.fv[k]); });
    doc.hay = parts.join('\u0001').toLowerCase();
  });

  // ---- corrections ------------------------------------------------------------------
  function ckey(docId, field) { return docId + '\u0000' + field; }
  function loadCorrections() {
    try {
      var raw = window.localStorage.getItem(STORE_KEY);
      if (raw) return new Map(JSON.parse(raw));
    } catch (e) { /* storage may be off for file:// pages; corrections then live in memory */ }
    return new Map();
  }
  function saveCorrections() {
    try { window.localStorage.setItem(STORE_KEY, JSON.stringify(Array.from(state.corrections))); }
    catch (e) { /* see loadCorrections */ }
    var n = state.corrections.size;
    $('corrections-count').textContent = n + (n === 1 ? ' correction' : ' corrections');
    $('download').disabled = n === 0;
  }
  function setCorrection(doc, value, corrected) {
    var key = ckey(doc.id, value.f);
    if (corrected === null) state.corrections.delete(key);
    else state.corrections.set(key, { doc_id: doc.id, field: value.f, value: value.v, corrected: corrected });
    saveCorrections();
  }
  function csvCell(text) {
    var s = text === null || text === undefined ? '' : String(text);
    return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  function correctionsCsv() {
    var lines = ['doc_id,field,value,corrected'];
    state.corrections.forEach(function (c) {
      lines.push([c.doc_id, c.field, c.value, c.corrected].map(csvCell).join(','));
    });
    return lines.join('\r\n') + '\r\n';
  }
  function download() {
    var blob = new Blob([correctionsCsv()], { type: 'text/csv;charset=utf-8' });
    var a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = 'corrections.csv';
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

