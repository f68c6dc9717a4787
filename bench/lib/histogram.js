'use strict';
/** Latency histograms of the load processes: µs in, a summary in ms out. */
const hdr = require('hdr-histogram-js');

function newHist() {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600e6, numberOfSignificantValueDigits: 3 });
}

function summary(h) {
  if (!h.totalCount) return { count: 0 };
  return {
    count: h.totalCount,
    p50: h.getValueAtPercentile(50) / 1000,
    p95: h.getValueAtPercentile(95) / 1000,
    p99: h.getValueAtPercentile(99) / 1000,
    max: h.maxValue / 1000,
    mean: h.mean / 1000,
  };
}

module.exports = { newHist, summary };
