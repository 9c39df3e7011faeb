import { InMemoryStore } from '@meterline/store';
import { figuresContract } from './figures-contract.ts';
import { readingsContract } from './readings-contract.ts';
import { restatementsContract } from './restatements-contract.ts';

const open = () => Promise.resolve({ store: new InMemoryStore(), close: async () => {} });

readingsContract('in-memory store', open);
figuresContract('in-memory store', open);
restatementsContract('in-memory store', open);
