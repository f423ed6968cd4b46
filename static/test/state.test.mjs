// Unit tests of the URL state module: node --test static/test/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  defaultState, parseState, serializeState, filterQuery, shareURL, iframeCode, parseYears, roundView, sameView,
  YEAR_MIN, YEAR_MAX,
} from '../src/state.js';

test('the default state serializes to an empty query', () => {
  assert.equal(serializeState(defaultState()), '');
  assert.deepEqual(parseState(''), defaultState());
});

test('a full state round-trips through the URL', () => {
  const s = defaultState();
  s.view = { zoom: 4.25, lat: 48.4567, lng: 31.1234, bearing: -20, pitch: 30 };
  s.years = [2014, 2022];
  s.supplier = ['GBR', 'USA'];
  s.recipient = ['NS-HOUTHIS', 'UKR'];
  s.category = ['aircraft', 'missiles'];
  s.status = ['ordered', 'delivered'];
  s.mode = 'exports';
  s.measure = 'tiv';
  s.layers = ['flows', 'labels'];
  s.top = 0;
  s.sel = { type: 'flow', supplier: 'USA', recipient: 'UKR' };
  s.panel = 'table';
  const qs = serializeState(s);
  assert.equal(qs,
    'map=4.25/48.457/31.123/-20/30&years=2014-2022&supplier=GBR,USA&recipient=NS-HOUTHIS,UKR'
    + '&category=aircraft,missiles&status=ordered,delivered&mode=exports&measure=tiv&layers=flows,labels'
    + '&top=all&sel=USA%3EUKR&panel=table');
  const back = parseState('?' + qs);
  assert.deepEqual(back.view, roundView(s.view));
  for (const k of ['years', 'supplier', 'recipient', 'category', 'status', 'mode', 'measure', 'layers', 'top', 'sel', 'panel']) {
    assert.deepEqual(back[k], s[k], k);
  }
  assert.equal(serializeState(back), qs, 'serialize(parse(x)) is stable');
  assert.ok(sameView(back, parseState(qs)));
});

test('a selected country and no overlays', () => {
  const s = parseState('sel=ukr&layers=none');
  assert.deepEqual(s.sel, { type: 'country', iso3: 'UKR' });
  assert.deepEqual(s.layers, []);
  assert.equal(serializeState(s), 'layers=none&sel=UKR');
});

test('lists are normalized: upper-cased actors, sorted, de-duplicated; categories in display order', () => {
  const s = parseState('supplier=usa, gbr,USA,&category=missiles,aircraft,MISSILES&status=delivered,notified');
  assert.deepEqual(s.supplier, ['GBR', 'USA']);
  assert.deepEqual(s.category, ['aircraft', 'missiles']);
  assert.deepEqual(s.status, ['notified', 'delivered']);
});

test('malformed values fall back to defaults instead of breaking the map', () => {
  const d = defaultState();
  const s = parseState('map=abc/1/2&years=2030-2010&supplier=US A,<script>&category=lasers&mode=sideways'
    + '&measure=gold&layers=flows,unicorns&top=7&sel=USA>USA&panel=x&controls=zoom,nuke');
  assert.deepEqual(s.view, d.view);
  assert.deepEqual(s.years, d.years);
  assert.deepEqual(s.supplier, []);
  assert.deepEqual(s.category, []);
  assert.equal(s.mode, 'imports');
  assert.equal(s.measure, 'deals');
  assert.deepEqual(s.layers, ['flows']);
  assert.equal(s.top, d.top);
  assert.equal(s.sel, null);
  assert.equal(s.panel, '');
  assert.deepEqual(s.controls, ['zoom']);
});

test('years: single, open and clamped windows', () => {
  assert.deepEqual(parseYears('2020'), [2020, 2020]);
  assert.deepEqual(parseYears('2014-'), [2014, YEAR_MAX]);
  assert.deepEqual(parseYears('-2000'), [YEAR_MIN, 2000]);
  assert.deepEqual(parseYears('1900-2100'), [YEAR_MIN, YEAR_MAX]);
  assert.equal(parseYears('20-30'), null);
  assert.equal(parseYears('-'), null);
  assert.equal(parseYears('2020-2010'), null);
});

test('camera values wrap and clamp', () => {
  const s = parseState('map=30/95/190/270/120');
  assert.deepEqual(s.view, { zoom: 22, lat: 85.05, lng: -170, bearing: -90, pitch: 85 });
});

test('the filter query matches the data API parameters', () => {
  const s = parseState('years=2020&supplier=USA,GBR&category=naval&mode=exports&sel=UKR');
  assert.equal(filterQuery(s), 'years=2020&supplier=GBR,USA&category=naval');
  assert.equal(filterQuery(defaultState()), 'years=2015-2024');
});

test('embed options: fixed year, controls, title', () => {
  const s = parseState('year=2022&controls=legend,years,zoom&title=Transfers%20to%20Ukraine&recipient=UKR');
  assert.deepEqual(parseState('').controls, ['zoom', 'legend', 'share'], 'default controls');
  assert.deepEqual(s.years, [2022, 2022]);
  assert.equal(s.year, 2022);
  assert.deepEqual(s.controls, ['zoom', 'legend', 'years'], 'controls in canonical order');
  const qs = serializeState(s, { embed: true });
  assert.equal(qs, 'year=2022&recipient=UKR&controls=zoom,legend,years&title=Transfers+to+Ukraine');
  assert.deepEqual(parseState(qs).controls, ['zoom', 'legend', 'years']);
  assert.equal(serializeState(s), 'years=2022&recipient=UKR', 'the main map keeps only the window');
  assert.equal(shareURL('http://127.0.0.1:8080', s, { embed: true }), 'http://127.0.0.1:8080/embed?' + qs);
  const code = iframeCode('http://localhost', s, { width: 640, height: 400 });
  assert.match(code, /^<iframe src="http:\/\/localhost\/embed\?year=2022&amp;recipient=UKR&amp;controls=zoom,legend,years&amp;title=Transfers\+to\+Ukraine" width="640" height="400" title="Transfers to Ukraine"/);
});

test('the view rounds with zoom so URLs stay short but exact enough', () => {
  assert.deepEqual(roundView({ zoom: 1.23456, lat: 12.3456789, lng: -45.6789123, bearing: 0.04, pitch: 0 }),
    { zoom: 1.23, lat: 12.35, lng: -45.68, bearing: 0, pitch: 0 });
  assert.deepEqual(roundView({ zoom: 12, lat: 12.3456789, lng: -45.6789123, bearing: 0, pitch: 0 }),
    { zoom: 12, lat: 12.34568, lng: -45.67891, bearing: 0, pitch: 0 });
});
