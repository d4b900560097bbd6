export { ComponentsModule } from './components.module';
export { Component, ComponentMethod } from './component.decorators';
export type { ComponentOptions, ComponentMethodOptions } from './component.decorators';
export { ComponentClient } from './component.client';
export type { ComponentCallOptions, ComponentProxy } from './component.client';
export { ComponentRegistry } from './component.registry';
export type { ComponentsModuleOptions, ComponentRegistryOptions, ComponentEntry, ComponentInstance, ComponentMethodInfo } from './components-options.interface';
export { COMPONENTS_EXCHANGE, REGISTRY_EXCHANGE, COMPONENT_ERRORS, componentQueue } from './components.constants';
