import { describe, expect, it } from 'vitest';
import { ConfigError } from '@meterline/service-kit';
import { brokerAdmin, loadApiConfig } from '../src/config.ts';

const BASE = { MTL_INFLUX_URL: 'http://127.0.0.1:8086', MTL_INFLUX_TOKEN: 'u:p', MTL_INFLUX_DATABASE: 'meterline', MTL_API_KEYS_FILE: 'keys.yaml' };
const ADMIN = { MTL_BROKER_ADMIN_URL: 'mqtt://127.0.0.1:1883', MTL_BROKER_ADMIN_USERNAME: 'meterline-api', MTL_BROKER_ADMIN_PASSWORD: 'never-shown-3f9a' };

const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
  try {
    loadApiConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('the configuration was accepted');
};

describe('the API configuration', () => {
  it('reads the registry from a file, or from its topic through Kafka', () => {
    expect(loadApiConfig({ ...BASE, MTL_REGISTRY_FILE: 'registry.yaml' })).toMatchObject({ registryFile: 'registry.yaml' });
    const topic = loadApiConfig({ ...BASE, MTL_REGISTRY_TOPIC: 'meterline.registry.v1', MTL_KAFKA_BROKERS: 'k1:9092,k2:9092' });
    expect(topic).toMatchObject({ registryTopic: 'meterline.registry.v1', kafkaBrokers: ['k1:9092', 'k2:9092'] });
    expect(topic.registryFile).toBeUndefined();
  });

  it('lists every bad key at once: the registry rules and the others', () => {
    const problems = problemsOf({ ...BASE, MTL_REGISTRY_TOPIC: 'meterline.registry.v1', MTL_PORT: 'eighty' });
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/^MTL_PORT: /), expect.stringMatching(/^MTL_REGISTRY_TOPIC: .*MTL_KAFKA_BROKERS/)]));
    expect(problemsOf({ ...BASE })).toEqual([expect.stringContaining('neither is set')]);
    expect(problemsOf({ ...BASE, MTL_REGISTRY_FILE: 'r.yaml', MTL_REGISTRY_TOPIC: 't', MTL_KAFKA_BROKERS: 'k:9092' })).toEqual([expect.stringContaining('both are set')]);
  });

  it('takes the broker admin account whole or not at all, and never repeats its password', () => {
    const none = loadApiConfig({ ...BASE, MTL_REGISTRY_FILE: 'r.yaml' });
    expect(brokerAdmin(none)).toBeUndefined();
    const whole = loadApiConfig({ ...BASE, MTL_REGISTRY_FILE: 'r.yaml', ...ADMIN });
    expect(brokerAdmin(whole)).toEqual({ url: 'mqtt://127.0.0.1:1883', username: 'meterline-api', password: 'never-shown-3f9a', commandTimeoutMs: 10_000 });

    const { MTL_BROKER_ADMIN_PASSWORD: _password, ...withoutPassword } = ADMIN;
    const partial = problemsOf({ ...BASE, MTL_REGISTRY_FILE: 'r.yaml', ...withoutPassword });
    expect(partial).toEqual([expect.stringMatching(/^MTL_BROKER_ADMIN_PASSWORD: /)]);
    const bad = problemsOf({ ...BASE, MTL_REGISTRY_FILE: 'r.yaml', ...ADMIN, MTL_BROKER_ADMIN_URL: 'http://broker', MTL_BROKER_ADMIN_USERNAME: '' });
    expect(bad).toEqual(expect.arrayContaining([expect.stringMatching(/^MTL_BROKER_ADMIN_URL: /), expect.stringMatching(/^MTL_BROKER_ADMIN_USERNAME: /)]));
    expect(bad.join('\n')).not.toContain('never-shown-3f9a');
  });

  it('bounds the figure cache as documented unless told otherwise, follows the aggregator\'s topics, and refuses nonsense', () => {
    expect(loadApiConfig({ ...BASE, MTL_REGISTRY_FILE: 'r.yaml' })).toMatchObject({
      figureCacheMaxEntries: 10_000,
      figureCacheMaxBytes: 64 * 1_048_576,
      figureCacheSettleMs: 120_000,
      restatementsTopic: 'meterline.restatements.v1',
      figuresTopic: 'meterline.figures.v1',
    });
    const set = loadApiConfig({ ...BASE, MTL_REGISTRY_FILE: 'r.yaml', MTL_FIGURE_CACHE_MAX_ENTRIES: '0', MTL_FIGURE_CACHE_MAX_BYTES: '2097152', MTL_FIGURE_CACHE_SETTLE_MS: '30000', MTL_FIGURES_TOPIC: 'site-b.figures.v1' });
    expect(set).toMatchObject({ figureCacheMaxEntries: 0, figureCacheMaxBytes: 2_097_152, figureCacheSettleMs: 30_000, figuresTopic: 'site-b.figures.v1' });
    const problems = problemsOf({ ...BASE, MTL_REGISTRY_FILE: 'r.yaml', MTL_FIGURE_CACHE_MAX_ENTRIES: '-1', MTL_FIGURE_CACHE_MAX_BYTES: '1000', MTL_FIGURE_CACHE_SETTLE_MS: 'soon', MTL_RESTATEMENTS_TOPIC: '' });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^MTL_FIGURE_CACHE_MAX_ENTRIES: /),
        expect.stringMatching(/^MTL_FIGURE_CACHE_MAX_BYTES: /),
        expect.stringMatching(/^MTL_FIGURE_CACHE_SETTLE_MS: /),
        expect.stringMatching(/^MTL_RESTATEMENTS_TOPIC: /),
      ]),
    );
  });

  it('finds Chromium on PATH unless told where it is, and bounds the PDF renders', () => {
    expect(loadApiConfig({ ...BASE, MTL_REGISTRY_FILE: 'r.yaml' })).toMatchObject({ chromiumPath: 'chromium', reportPdfTimeoutMs: 60_000, reportPdfConcurrency: 2 });
    const set = loadApiConfig({ ...BASE, MTL_REGISTRY_FILE: 'r.yaml', MTL_CHROMIUM_PATH: '/opt/chromium/chrome', MTL_REPORT_PDF_TIMEOUT_MS: '20000', MTL_REPORT_PDF_CONCURRENCY: '4' });
    expect(set).toMatchObject({ chromiumPath: '/opt/chromium/chrome', reportPdfTimeoutMs: 20_000, reportPdfConcurrency: 4 });
    const problems = problemsOf({ ...BASE, MTL_REGISTRY_FILE: 'r.yaml', MTL_CHROMIUM_PATH: '', MTL_REPORT_PDF_TIMEOUT_MS: '10', MTL_REPORT_PDF_CONCURRENCY: '0' });
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/^MTL_CHROMIUM_PATH: /), expect.stringMatching(/^MTL_REPORT_PDF_TIMEOUT_MS: /), expect.stringMatching(/^MTL_REPORT_PDF_CONCURRENCY: /)]));
  });
});
