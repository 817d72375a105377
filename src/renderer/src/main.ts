import { mount } from 'svelte'
import App from './App.svelte'
import type { EnhanceApi } from '../../shared/api.js'

declare global {
  interface Window {
    api: EnhanceApi
  }
}

mount(App, { target: document.getElementById('app')!, props: { api: window.api } })
