// crossdecode.mjs decodes vector tiles with @mapbox/vector-tile and pbf (the
// decoder MapLibre GL JS uses) and prints what it read as JSON, for
// tiles/crossdecode_test.go to compare with orb's decoding.
//
// usage: node crossdecode.mjs NODE_MODULES_DIR TILE.mvt...
// output: {"TILE.mvt": {"LAYER": {"version", "extent", "features": [
//          {"id", "type", "properties", "paths", "polygons"}]}}}
// paths are the feature's geometry as decoded (rings closed, one path per
// point of a multipoint); polygons is classifyRings' polygon count.
import {readFileSync} from 'node:fs';
import {join, basename} from 'node:path';
import {pathToFileURL} from 'node:url';

const [nodeModules, ...files] = process.argv.slice(2);
const load = p => import(pathToFileURL(join(nodeModules, p)).href);
const {VectorTile, classifyRings} = await load('@mapbox/vector-tile/index.js');
const {PbfReader} = await load('pbf/index.js');

const out = {};
for (const file of files) {
    const tile = new VectorTile(new PbfReader(readFileSync(file)));
    const layers = {};
    for (const [name, layer] of Object.entries(tile.layers)) {
        const features = [];
        for (let i = 0; i < layer.length; i++) {
            const f = layer.feature(i);
            const geom = f.loadGeometry();
            features.push({
                id: f.id,
                type: f.type,
                properties: f.properties,
                paths: geom.map(ring => ring.map(p => [p.x, p.y])),
                polygons: f.type === 3 ? classifyRings(geom).length : 0,
            });
        }
        layers[name] = {version: layer.version, extent: layer.extent, features};
    }
    out[basename(file)] = layers;
}
process.stdout.write(JSON.stringify(out));
