/* extract review page: selection, keyboard and start.
 * Part of one script: html.py joins base.js, list.js, document.js and review.js, in that
 * order, inside one function scope. */
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
    ['status-filter', 'ungrounded-filter', 'field-filter', 'search-text'].forEach(function (id) {
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
