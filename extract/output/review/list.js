/* extract review page: the document list, filtered, with only the rows in view in the DOM.
 * Part of one script: html.py joins base.js, list.js, document.js and review.js, in that
 * order, inside one function scope. */
  // ---- document list ------------------------------------------------------------------
  function filters() {
    return {
      q: $('search').value.trim().toLowerCase(),
      inText: $('search-text').checked,
      status: $('status-filter').value,
      ungrounded: $('ungrounded-filter').checked,
      field: $('field-filter').value,
      fieldValue: $('field-value').value.trim().toLowerCase(),
    };
  }
  function matches(doc, f) {
    if (f.status && doc.status !== f.status) return false;
    if (f.ungrounded && !(doc.ungrounded && doc.ungrounded.length)) return false;
    if (f.q && doc.hay.indexOf(f.q) < 0 && !(f.inText && inText(doc.i, f.q))) return false;
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
  // Searching the text reads each document's JSON block as a string, never parsing it: the
  // pages come first in the block, and '],"values":' cannot occur inside a JSON string.
  var lowered = new Map();
  function inText(i, q) {
    if (q.length < 3) return false;
    if (!lowered.has(i)) {
      var node = document.getElementById('d-' + i);
      var raw = node ? node.textContent : '';
      var end = raw.indexOf('],"values":');
      lowered.set(i, end > 0 ? raw.slice(0, end).toLowerCase() : '');
    }
    var escaped = JSON.stringify(q).slice(1, -1).replace(/</g, '\\u003c').replace(/>/g, '\\u003e')
      .replace(/&/g, '\\u0026');
    return lowered.get(i).indexOf(escaped) >= 0;
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

