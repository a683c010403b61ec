/* extract review page: the open document: fields, child tables, the text with quotes, page images.
 * Part of one script: html.py joins base.js, list.js, document.js and review.js, in that
 * order, inside one function scope. */
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
    if (d.notes) {  // a value read as its row's total, a second pass's questions...
      fields.appendChild(el('h3', null, 'Notes'));
      fields.appendChild(el('p', 'notes', d.notes));
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

