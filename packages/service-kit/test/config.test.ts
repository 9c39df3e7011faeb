import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { ConfigError, envName, loadConfig } from '../src/index.ts';

const Schema = Type.Object({
  kafkaBrokers: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
  mqttPassword: Type.String({ minLength: 1 }),
  connections: Type.Integer({ minimum: 1, default: 4 }),
});

describe('loadConfig', () => {
  it('maps camelCase keys to MTL_ environment variables', () => {
    expect(envName('kafkaBrokers')).toBe('MTL_KAFKA_BROKERS');
  });

  it('parses lists and numbers, applies defaults and freezes the result', () => {
    const config = loadConfig(Schema, { MTL_KAFKA_BROKERS: '127.0.0.1:1, 127.0.0.1:2', MTL_MQTT_PASSWORD: 's3cret' });
    expect(config).toEqual({ kafkaBrokers: ['127.0.0.1:1', '127.0.0.1:2'], mqttPassword: 's3cret', connections: 4 });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('refuses a missing secret rather than defaulting it, naming the variable', () => {
    const error = (() => {
      try {
        loadConfig(Schema, { MTL_KAFKA_BROKERS: 'a:1' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('MTL_MQTT_PASSWORD: is required');
  });

  it('lists every bad key at once', () => {
    let problems: string[] = [];
    try {
      loadConfig(Schema, { MTL_CONNECTIONS: '0' });
    } catch (e) {
      problems = (e as ConfigError).problems;
    }
    expect(problems).toEqual([
      'MTL_KAFKA_BROKERS: is required',
      'MTL_MQTT_PASSWORD: is required',
      'MTL_CONNECTIONS: must be >= 1',
    ]);
  });

  it('names the variable of a value of the wrong type', () => {
    expect(() => loadConfig(Schema, { MTL_KAFKA_BROKERS: 'a:1', MTL_MQTT_PASSWORD: 'x', MTL_CONNECTIONS: 'four' })).toThrow(
      /MTL_CONNECTIONS: must be integer/,
    );
  });
});
