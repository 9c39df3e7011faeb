export async function dockerAvailable(): Promise<boolean> { return false; }
export async function startStackWithContainers(): Promise<never> { throw new Error('todo'); }
