/* extract review page: one document's DOM at a time, built from inline JSON.
 * Every piece of document text reaches the page through textContent or a text node,
 * never through innerHTML, so a document cannot inject markup or script. */
(function () {
  'use strict';

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

  // ---- document list ------------------------------------------------------------------
  function filters() {
    return {
      q: $('search').value.trim().toLowerCase(),
      status: $('status-filter').value,
      ungrounded: $('ungrounded-filter').checked,
      field: $('field-filter').value,
      fieldValue: $('field-value').value.trim().toLowerCase(),
    };
  }
  function matches(doc, f) {
    if (f.status && doc.status !== f.status) return false;
    if (f.ungrounded && !(doc.ungrounded && doc.ungrounded.length)) return false;
    if (f.q && doc.hay.indexOf(f.q) < 0) return false;
    if (f.field || f.fieldValue) {
      var fv = doc.fv || {};
      var keys = f.field ? [f.field] : Object.keys(fv);
      var hit = keys.some(function (k) {
        var v = fv[k];
        if (!f.fieldValue) return v !== undefined && v !== null && v !== '';
        return v !== undefined && v !== null && String(v).toLowerCase().indexOf(f.fieldValue) >= 0;
      });
      if (!hit) return false;
    }
    return true;
  }
  // Only the rows in view (and a few around) exist: 2,000 list items would cost more
  // layout than the open document does.
  var ROW = 64, OVERSCAN = 12;
  function renderList() {
    var f = filters();
    state.shown = DOCS.filter(function (d) { return matches(d, f); }).map(function (d) { return d.i; });
    $('doc-list').style.height = (state.shown.length * ROW) + 'px';
    $('list-count').textContent = state.shown.length + ' of ' + DOCS.length + ' documents';
    drawRows();
  }
  function drawRows() {
    var scroller = $('doc-scroll');
    var height = scroller.clientHeight || 800;
    var first = Math.max(0, Math.floor(scroller.scrollTop / ROW) - OVERSCAN);
    var last = Math.min(state.shown.length, Math.ceil((scroller.scrollTop + height) / ROW) + OVERSCAN);
    var frag = document.createDocumentFragment();
    for (var at = first; at < last; at++) frag.appendChild(rowNode(state.shown[at], at));
    $('doc-list').replaceChildren(frag);
  }
  function rowNode(i, at) {
    var doc = DOCS[i];
    var li = el('li');
    li.dataset.i = i;
    li.id = 'li-' + i;
    li.style.top = (at * ROW) + 'px';
    if (i === state.current) li.className = 'current';
    li.appendChild(el('span', 'name', doc.name));
    var meta = el('span', 'meta');
    meta.appendChild(el('span', 'status ' + doc.status, doc.status));
    if (doc.grounded !== null && doc.grounded !== undefined) {
      var bar = el('span', 'bar');
      var fill = el('i');
      fill.style.width = Math.round(doc.grounded * 100) + '%';
      bar.appendChild(fill);
      meta.appendChild(bar);
      meta.appendChild(el('span', null, percent(doc.grounded) + ' grounded'));
    }
    if (doc.ungrounded && doc.ungrounded.length) {
      meta.appendChild(el('span', null, doc.ungrounded.length + ' ungrounded'));
    }
    if (doc.checks) meta.appendChild(el('span', 'failed', doc.checks + (doc.checks === 1 ? ' check' : ' checks') + ' failed'));
    li.appendChild(meta);
    if (doc.error) {
      var err = el('span', 'err', doc.error);
      err.title = doc.error;
      li.appendChild(err);
    }
    return li;
  }
  function showInList(i) {
    var at = state.shown.indexOf(i);
    if (at < 0) return;
    var scroller = $('doc-scroll');
    var top = at * ROW, height = scroller.clientHeight;
    if (top < scroller.scrollTop) scroller.scrollTop = top;
    else if (top + ROW > scroller.scrollTop + height) scroller.scrollTop = top + ROW - height;
    drawRows();
  }

  // ---- document view ------------------------------------------------------------------
  function openDoc(i, selectValue) {
    if (i < 0 || i >= DOCS.length) return;
    state.current = i;
    state.selected = -1;
    showInList(i);
    var doc = DOCS[i];
    var d = details(i);
    state.imagePage = firstImagePage(d) || 1;
    if (state.view === 'image' && !Object.keys(d.images).length) state.view = 'text';
    var main = $('doc');
    main.replaceChildren(renderHead(doc, d), renderPanes(doc, d));
    renderSource(doc, d);
    if (history.replaceState) history.replaceState(null, '', '#' + encodeURIComponent(doc.id));
    if (typeof selectValue === 'number' && selectValue >= 0) selectValueAt(selectValue, true);
  }
  function firstImagePage(d) {
    var pages = Object.keys(d.images).map(Number).sort(function (a, b) { return a - b; });
    return pages.length ? pages[0] : null;
  }
  function renderHead(doc, d) {
    var head = el('div');
    head.id = 'doc-head';
    head.appendChild(el('h2', null, doc.name));
    var meta = el('div', 'meta');
    meta.appendChild(el('span', 'status ' + doc.status, doc.status));
    meta.appendChild(el('span', null, 'grounded ' + percent(doc.grounded)));
    if (doc.pages) meta.appendChild(el('span', null, doc.pages + (doc.pages === 1 ? ' page' : ' pages')));
    meta.appendChild(el('span', null, 'id ' + doc.id));
    meta.appendChild(el('span', null, doc.source));
    var nav = el('span');
    var prev = el('button', null, '\u2190 prev');
    prev.type = 'button';
    prev.onclick = function () { step(-1); };
    var next = el('button', null, 'next \u2192');
    next.type = 'button';
    next.onclick = function () { step(1); };
    nav.append(prev, ' ', next);
    meta.appendChild(nav);
    if (Object.keys(d.images).length) {
      var toggle = el('span', 'view-toggle');
      ['text', 'image'].forEach(function (view) {
        var b = el('button', state.view === view ? 'on' : '', view === 'text' ? 'Text' : 'Page image');
        b.type = 'button';
        b.id = 'view-' + view;
        b.onclick = function () { setView(view); };
        toggle.append(b, ' ');
      });
      meta.appendChild(toggle);
    }
    head.appendChild(meta);
    if (doc.error) head.appendChild(el('div', 'doc-error', doc.error));
    return head;
  }
  function renderPanes(doc, d) {
    var panes = el('div');
    panes.id = 'panes';
    var fields = el('section');
    fields.id = 'fields';
    var sel = el('div');
    sel.id = 'selected';
    sel.appendChild(el('span', 'muted', 'Click a value to see its quote in the text.'));
    fields.appendChild(sel);
    fields.appendChild(el('h3', null, 'Fields'));
    var table = el('table', 'values');
    d.fields.forEach(function (k) {
      var v = d.values[k];
      var tr = el('tr');
      tr.appendChild(el('td', 'fname', v.f));
      var td = el('td');
      td.appendChild(valueNode(doc, d, k));
      tr.appendChild(td);
      table.appendChild(tr);
    });
    fields.appendChild(table);
    d.children.forEach(function (child) {
      fields.appendChild(el('h3', null, child.name + ' (' + child.rows.length + ')'));
      var t = el('table', 'values child');
      var hr = el('tr');
      hr.appendChild(el('th', null, '#'));
      child.cols.forEach(function (c) { hr.appendChild(el('th', null, c)); });
      t.appendChild(hr);
      child.rows.forEach(function (row) {
        var tr = el('tr');
        tr.appendChild(el('td', 'fname', row.item));
        row.cells.forEach(function (k) {
          var td = el('td');
          if (k !== null) td.appendChild(valueNode(doc, d, k));
          tr.appendChild(td);
        });
        t.appendChild(tr);
      });
      fields.appendChild(t);
    });
    if (d.checks.length) {
      fields.appendChild(el('h3', null, 'Failed checks'));
      var checks = el('ul', 'checks');
      d.checks.forEach(function (c) { checks.appendChild(el('li', null, c.rule + ': ' + c.problem)); });
      fields.appendChild(checks);
    }
    if (d.conflicts.length) {
      fields.appendChild(el('h3', null, 'Conflicts between chunks'));
      var ul = el('ul', 'conflicts');
      d.conflicts.forEach(function (c) {
        ul.appendChild(el('li', null, c.field + ': kept ' + show(c.kept) + '; chunk ' + c.chunk +
          ' read ' + show(c.other)));
      });
      fields.appendChild(ul);
    }
    var source = el('section');
    source.id = 'source';
    panes.append(fields, source);
    return panes;
  }
  function valueNode(doc, d, k) {
    var v = d.values[k];
    var span = el('span', 'value');
    span.id = 'v-' + k;
    span.dataset.k = k;
    span.tabIndex = 0;
    if (v.v === null || v.v === '') span.classList.add('null');
    if (v.m === 'none') span.classList.add('ungrounded');
    if (typeof v.conf === 'number' && v.conf < LOW) span.classList.add('low');
    span.appendChild(el('span', 'shown', show(v.v)));
    var fix = state.corrections.get(ckey(doc.id, v.f));
    if (fix) {
      span.classList.add('wrong');
      span.appendChild(el('span', 'fix', fix.corrected === '' ? '(wrong)' : '\u2192 ' + fix.corrected));
    }
    if (v.gone !== undefined) span.appendChild(el('span', 'badge none', 'emptied: model gave ' + show(v.gone)));
    else if (v.m === 'none') span.appendChild(el('span', 'badge none', 'no evidence'));
    else if (v.m && v.m !== 'exact') span.appendChild(el('span', 'badge', v.m));
    if (typeof v.conf === 'number' && v.conf < LOW) {
      span.appendChild(el('span', 'badge low', 'confidence ' + percent(v.conf)));
    }
    if (v.conflict && v.conflict.length) span.appendChild(el('span', 'badge conflict', 'conflict'));
    span.title = v.f + (v.m ? ' \u00b7 ' + v.m : '') +
      (typeof v.conf === 'number' ? ' \u00b7 confidence ' + percent(v.conf) : '');
    span.onclick = function () { selectValueAt(k, true); };
    return span;
  }
  function refreshValue(k) {
    var doc = DOCS[state.current], d = details(state.current);
    var old = document.getElementById('v-' + k);
    if (old) {
      var fresh = valueNode(doc, d, k);
      if (k === state.selected) fresh.classList.add('selected');
      old.replaceWith(fresh);
    }
  }

  // ---- the source text with quotes marked in place ------------------------------------
  function renderSource(doc, d) {
    var source = $('source');
    if (state.view === 'image') { renderImage(doc, d, source); return; }
    if (!d.pages || !d.pages.length) {
      source.replaceChildren(el('p', 'no-text', 'The text of this document was not kept with the tables.'));
      return;
    }
    var spans = [];
    d.values.forEach(function (v, k) {
      if (typeof v.s === 'number' && typeof v.e === 'number' && v.e > v.s) spans.push({ s: v.s, e: v.e, k: k, m: v.m });
    });
    var frag = document.createDocumentFragment();
    d.pages.forEach(function (text, p) {
      var start = d.pageStarts[p], end = start + text.length;
      var page = el('div', 'page');
      page.id = 'page-' + (p + 1);
      page.appendChild(el('div', 'page-label', 'page ' + (p + 1) + ' of ' + d.pages.length));
      var pre = el('div', 'text');
      var mine = spans.filter(function (s) { return s.s < end && s.e > start; });
      markText(pre, text, start, mine);
      page.appendChild(pre);
      frag.appendChild(page);
    });
    source.replaceChildren(frag);
  }
  function markText(parent, text, offset, spans) {
    if (!spans.length) { parent.textContent = text; return; }
    var cuts = new Set([0, text.length]);
    spans.forEach(function (s) {
      cuts.add(Math.max(0, s.s - offset));
      cuts.add(Math.min(text.length, s.e - offset));
    });
    var points = Array.from(cuts).sort(function (a, b) { return a - b; });
    for (var j = 0; j + 1 < points.length; j++) {
      var a = points[j], b = points[j + 1];
      var piece = text.slice(a, b);
      var over = spans.filter(function (s) { return s.s - offset <= a && s.e - offset >= b; });
      if (!over.length) { parent.appendChild(document.createTextNode(piece)); continue; }
      var mark = el('mark', 'q', piece);
      if (over.every(function (s) { return s.m === 'fuzzy' || s.m === 'meaning'; })) mark.classList.add(over[0].m);
      mark.dataset.v = over.map(function (s) { return s.k; }).join(' ');
      mark.onclick = onMarkClick;
      parent.appendChild(mark);
    }
  }
  function onMarkClick(ev) {
    var ks = ev.currentTarget.dataset.v.split(' ').map(Number);
    var pos = ks.indexOf(state.selected);
    var k = pos >= 0 && ks.length > 1 ? ks[(pos + 1) % ks.length] : ks[0];
    selectValueAt(k, false);
    var node = document.getElementById('v-' + k);
    if (node) node.scrollIntoView({ block: 'center' });
  }

  // ---- page images with boxes ------------------------------------------------------------
  function setView(view) {
    if (state.current < 0) return;
    var d = details(state.current);
    if (view === 'image' && !Object.keys(d.images).length) return;
    state.view = view;
    ['text', 'image'].forEach(function (v) {
      var b = document.getElementById('view-' + v);
      if (b) b.classList.toggle('on', v === view);
    });
    if (view === 'image' && state.selected >= 0) {
      var page = valuePage(d.values[state.selected]);
      if (page && d.images[page]) state.imagePage = page;
    }
    renderSource(DOCS[state.current], d);
    if (state.selected >= 0) highlight(state.selected, true);
  }
  function valuePage(v) {
    if (v.box && v.box.length) return v.box[0][0];
    return v.p || null;
  }
  function renderImage(doc, d, source) {
    var pages = Object.keys(d.images).map(Number).sort(function (a, b) { return a - b; });
    if (!d.images[state.imagePage]) state.imagePage = pages[0];
    var img = d.images[state.imagePage];
    var nav = el('div', 'image-nav');
    var at = pages.indexOf(state.imagePage);
    var prev = el('button', null, '\u2190 page');
    prev.type = 'button';
    prev.disabled = at <= 0;
    prev.onclick = function () { state.imagePage = pages[at - 1]; renderSource(doc, d); };
    var next = el('button', null, 'page \u2192');
    next.type = 'button';
    next.disabled = at >= pages.length - 1;
    next.onclick = function () { state.imagePage = pages[at + 1]; renderSource(doc, d); };
    nav.append(prev, el('span', null, 'page ' + state.imagePage + ' of ' + (doc.pages || pages.length) +
      (pages.length < (doc.pages || 0) ? ' (' + pages.length + ' rendered)' : '')), next);
    var wrap = el('div', 'image-wrap');
    var image = el('img');
    image.src = img.src;
    image.alt = 'page ' + state.imagePage;
    wrap.appendChild(image);
    d.values.forEach(function (v, k) {
      (v.box || []).forEach(function (b) {
        if (b[0] !== state.imagePage) return;
        var box = el('div', 'box');
        box.dataset.v = String(k);
        box.style.left = (b[1] * 100) + '%';
        box.style.top = (b[2] * 100) + '%';
        box.style.width = (b[3] * 100) + '%';
        box.style.height = (b[4] * 100) + '%';
        box.title = v.f + ': ' + show(v.v);
        box.onclick = onMarkClick;
        wrap.appendChild(box);
      });
    });
    source.replaceChildren(nav, wrap);
  }

  // ---- selection ------------------------------------------------------------------------
  function selectValueAt(k, scrollToQuote) {
    var d = details(state.current);
    if (k < 0 || k >= d.values.length) return;
    var old = document.getElementById('v-' + state.selected);
    if (old) old.classList.remove('selected');
    state.selected = k;
    var node = document.getElementById('v-' + k);
    if (node) node.classList.add('selected');
    if (state.view === 'image') {
      var page = valuePage(d.values[k]);
      if (page && d.images[page] && page !== state.imagePage) {
        state.imagePage = page;
        renderSource(DOCS[state.current], d);
      }
    }
    renderSelected(DOCS[state.current], d, k);
    highlight(k, scrollToQuote);
  }
  function highlight(k, scroll) {
    var source = $('source');
    source.querySelectorAll('.active').forEach(function (m) { m.classList.remove('active'); });
    var hits = Array.prototype.filter.call(source.querySelectorAll('[data-v]'), function (m) {
      return m.dataset.v.split(' ').indexOf(String(k)) >= 0;
    });
    hits.forEach(function (m) { m.classList.add('active'); });
    if (scroll && hits.length) hits[0].scrollIntoView({ block: 'center' });
  }
  function renderSelected(doc, d, k) {
    var v = d.values[k];
    var box = $('selected');
    var head = el('div');
    head.appendChild(el('strong', null, v.f));
    head.append(' = ', show(v.v));
    box.replaceChildren(head);
    var where = el('div');
    if (v.m && v.m !== 'none' && typeof v.s === 'number') {
      where.append('quote: ');
      where.appendChild(el('span', 'quote', v.q));
      where.append(' \u00b7 page ' + show(v.p) + ' \u00b7 chars ' + v.s + '\u2013' + v.e + ' \u00b7 ' + v.m +
        (v.c ? ' \u00b7 chunk ' + v.c : ''));
    } else if (v.gone !== undefined) {
      where.append('Not found in the text, so the run emptied it (--evidence require); the model gave: ' +
        show(v.gone));
    } else if (v.m === 'none') {
      where.append('No evidence: the value was not found in the text.');
    } else if (v.v === null || v.v === '') {
      where.append('Empty: nothing was extracted.');
    } else {
      where.append('No evidence recorded for this value.');
    }
    if (typeof v.conf === 'number') where.append(' \u00b7 confidence ' + percent(v.conf));
    box.appendChild(where);
    (v.conflict || []).forEach(function (c) {
      box.appendChild(el('div', 'badge conflict', 'chunk ' + c.chunk + ' read ' + show(c.other)));
    });
    var actions = el('div', 'actions');
    var fix = state.corrections.get(ckey(doc.id, v.f));
    var wrong = el('button', null, fix ? 'Undo correction' : 'Mark wrong (x)');
    wrong.type = 'button';
    wrong.id = 'mark-wrong';
    wrong.onclick = function () { toggleWrong(); };
    var input = el('input');
    input.id = 'correction';
    input.placeholder = 'right value (e), Enter to save';
    input.value = fix ? fix.corrected : '';
    input.onkeydown = function (ev) {
      if (ev.key === 'Enter') { saveTyped(); ev.preventDefault(); }
    };
    var save = el('button', null, 'Save');
    save.type = 'button';
    save.id = 'save-correction';
    save.onclick = saveTyped;
    actions.append(wrong, input, save);
    box.appendChild(actions);
  }
  function toggleWrong() {
    if (state.current < 0 || state.selected < 0) return;
    var doc = DOCS[state.current], d = details(state.current), v = d.values[state.selected];
    setCorrection(doc, v, state.corrections.has(ckey(doc.id, v.f)) ? null : '');
    refreshValue(state.selected);
    renderSelected(doc, d, state.selected);
  }
  function saveTyped() {
    var doc = DOCS[state.current], d = details(state.current), v = d.values[state.selected];
    setCorrection(doc, v, $('correction').value);
    refreshValue(state.selected);
    renderSelected(doc, d, state.selected);
  }

  // ---- navigation ------------------------------------------------------------------------
  function step(delta) {
    if (!state.shown.length) return;
    var at = state.shown.indexOf(state.current);
    var to = at < 0 ? (delta > 0 ? 0 : state.shown.length - 1) : at + delta;
    if (to >= 0 && to < state.shown.length) openDoc(state.shown[to]);
  }
  function isUngrounded(v) { return v.m === 'none'; }
  function nextValue(delta, onlyUngrounded) {
    var order = state.shown.length ? state.shown : [];
    if (!order.length) return;
    var at = order.indexOf(state.current);
    if (at < 0) { at = delta > 0 ? 0 : order.length - 1; openDoc(order[at]); }
    for (var n = 0; n <= order.length; n++) {
      var i = order[(at + delta * n + order.length * (n + 1)) % order.length];
      // the index knows which documents have none: their data is not parsed at all
      if (onlyUngrounded && n > 0 && !(DOCS[i].ungrounded && DOCS[i].ungrounded.length)) continue;
      var vs = valueOrder(details(i));
      var here = i === state.current && n === 0 ? vs.indexOf(state.selected) : -1;
      var from = here >= 0 ? here : (delta > 0 ? -1 : vs.length);
      for (var j = from + delta; j >= 0 && j < vs.length; j += delta) {
        if (!onlyUngrounded || isUngrounded(details(i).values[vs[j]])) {
          if (i !== state.current) openDoc(i);
          selectValueAt(vs[j], true);
          var node = document.getElementById('v-' + vs[j]);
          if (node) node.scrollIntoView({ block: 'nearest' });
          return;
        }
      }
      if (!onlyUngrounded) return;  // v / V stay in the open document
    }
  }
  function valueOrder(d) {
    var order = d.fields.slice();
    d.children.forEach(function (c) {
      c.rows.forEach(function (r) { r.cells.forEach(function (k) { if (k !== null) order.push(k); }); });
    });
    return order;
  }
  function typing(target) {
    return target && (target.tagName === 'INPUT' || target.tagName === 'SELECT' || target.tagName === 'TEXTAREA');
  }
  document.addEventListener('keydown', function (ev) {
    if (ev.key === 'Escape') {
      if (typing(ev.target)) ev.target.blur();
      $('help').hidden = true;
      return;
    }
    if (typing(ev.target) || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var actions = {
      j: function () { step(1); }, k: function () { step(-1); },
      n: function () { nextValue(1, true); }, N: function () { nextValue(-1, true); },
      v: function () { nextValue(1, false); }, V: function () { nextValue(-1, false); },
      t: function () { setView(state.view === 'text' ? 'image' : 'text'); },
      x: toggleWrong,
      e: function () { var c = $('correction'); if (c) c.focus(); },
      '/': function () { $('search').focus(); },
      '?': function () { $('help').hidden = !$('help').hidden; },
    };
    var act = actions[ev.key];
    if (act) { ev.preventDefault(); act(); }
  });

  // ---- start ---------------------------------------------------------------------------
  function start() {
    var fieldSelect = $('field-filter');
    (META.fields || []).forEach(function (f) {
      var o = el('option', null, f);
      o.value = f;
      fieldSelect.appendChild(o);
    });
    ['search', 'field-value'].forEach(function (id) { $(id).addEventListener('input', renderList); });
    ['status-filter', 'ungrounded-filter', 'field-filter'].forEach(function (id) {
      $(id).addEventListener('change', renderList);
    });
    var pending = false;
    $('doc-scroll').addEventListener('scroll', function () {
      if (pending) return;
      pending = true;
      requestAnimationFrame(function () { pending = false; drawRows(); });
    });
    $('doc-list').addEventListener('click', function (ev) {
      var li = ev.target.closest('li');
      if (li) openDoc(Number(li.dataset.i));
    });
    $('download').onclick = download;
    $('help-button').onclick = function () { $('help').hidden = !$('help').hidden; };
    $('help-close').onclick = function () { $('help').hidden = true; };
    var counts = {};
    DOCS.forEach(function (d) { counts[d.status] = (counts[d.status] || 0) + 1; });
    $('summary').textContent = DOCS.length + ' documents: ' + Object.keys(counts).sort().map(function (s) {
      return counts[s] + ' ' + s;
    }).join(', ');
    mark('review-index');
    saveCorrections();
    renderList();
    mark('review-list');
    var wanted = decodeURIComponent((location.hash || '').slice(1));
    var first = DOCS.findIndex(function (d) { return d.id === wanted; });
    if (first < 0 && state.shown.length) first = state.shown[0];
    if (first >= 0) openDoc(first);
    document.body.dataset.ready = '1';
    mark('review-ready');
  }
  // Exposed for tests and the benchmark only; the page never reads it.
  window.extractReview = { csv: correctionsCsv, state: state };
  start();
})();
