// scxlab report: small comforts only. Everything is readable without this script (the
// charts are drawn as SVG by scxlab itself, and the data is embedded as JSON).
(function () {
  'use strict';
  document.documentElement.classList.add('js');

  // The trials table can hide the trials that counted, leaving those left out.
  var filter = document.getElementById('only-left-out');
  var trials = document.getElementById('trials-table');
  if (filter && trials) {
    filter.addEventListener('change', function () {
      trials.classList.toggle('only-left-out', filter.checked);
    });
  }

  // Pointing at a scheduler in a chart brings its series forward in that chart.
  Array.prototype.forEach.call(document.querySelectorAll('svg.chart'), function (svg) {
    Array.prototype.forEach.call(svg.querySelectorAll('.series'), function (series) {
      series.addEventListener('mouseenter', function () {
        series.classList.add('focused');
        svg.classList.add('focusing');
      });
      series.addEventListener('mouseleave', function () {
        series.classList.remove('focused');
        svg.classList.remove('focusing');
      });
    });
  });

  // Tables marked sortable: a button in each header marked data-sort="number" sorts the rows
  // by that column's data-value (empty values last), pressing again reverses the order.
  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), function (table) {
    var headers = table.querySelectorAll('thead th');
    Array.prototype.forEach.call(headers, function (th, column) {
      if (th.getAttribute('data-sort') !== 'number') return;
      var button = document.createElement('button');
      button.type = 'button';
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener('click', function () {
        var ascending = th.getAttribute('aria-sort') !== 'ascending';
        Array.prototype.forEach.call(headers, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var key = function (row) {
          var text = row.cells[column].getAttribute('data-value');
          return text === null || text === '' ? NaN : parseFloat(text);
        };
        rows.sort(function (a, b) {
          var x = key(a), y = key(b);
          if (isNaN(x) || isNaN(y)) return isNaN(x) - isNaN(y);
          return ascending ? x - y : y - x;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });

  // A printed report shows everything: open every collapsed section while printing.
  var closed = [];
  window.addEventListener('beforeprint', function () {
    closed = Array.prototype.filter.call(document.querySelectorAll('details'), function (d) { return !d.open; });
    closed.forEach(function (d) { d.open = true; });
  });
  window.addEventListener('afterprint', function () {
    closed.forEach(function (d) { d.open = false; });
  });

  // The embedded data, for a reader's own analysis in the console: scxlab.data.
  var data = document.getElementById('scxlab-data');
  window.scxlab = { data: data ? JSON.parse(data.textContent) : null };
  document.documentElement.setAttribute('data-scxlab-ready', 'yes');
})();
