import { describe, expect, it } from 'vitest';
import { isStackError } from '../src/errors.ts';
import { DEFAULT_BROKER_PERSISTENCE, brokerConf, persistenceConf } from '../src/mosquitto.ts';

describe('persistenceConf', () => {
  it('writes each kind as mosquitto reads it', () => {
    expect(persistenceConf({ kind: 'interval', seconds: 60 }, '/data')).toEqual(['persistence true', 'persistence_location /data/', 'autosave_interval 60']);
    expect(persistenceConf({ kind: 'changes', changes: 1 }, '/data')).toEqual(['persistence true', 'persistence_location /data/', 'autosave_interval 1', 'autosave_on_changes true']);
    expect(persistenceConf({ kind: 'off' }, '/data')).toEqual(['persistence false']);
  });

  it('refuses an autosave of 0, which mosquitto reads as saving only at exit', () => {
    let thrown: unknown;
    try {
      persistenceConf({ kind: 'interval', seconds: 0 }, '/data');
    } catch (error) {
      thrown = error;
    }
    expect(isStackError(thrown, 'MTL_STACK_CONFIG_INVALID')).toBe(true);
  });

  it('is the default of every broker the launcher configures', () => {
    const conf = brokerConf(1883, '/broker', []).split('\n');
    for (const line of persistenceConf(DEFAULT_BROKER_PERSISTENCE, '/broker/data')) expect(conf).toContain(line);
  });
});
