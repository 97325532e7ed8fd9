/** The shared browser's text ("Open a website", docs/SHARED-BROWSER.md), in English. */
export const enSharedBrowser = {
  controlLabel: 'Control of the shared browser',
  nobodyInControl: 'Nobody is driving the shared browser',
  youAreInControl: 'You are in control',
  customerInControl: (name: string) => `${name} (customer) is in control`,
  agentInControl: (name: string) => `${name} is in control`,
  customerAsks: (name: string) => `${name} asks for control`,
  waitingForAgent: 'Waiting for the agent…',
  takeControl: 'Take control',
  takeBack: 'Take back control',
  handToCustomer: (name: string) => `Give control to ${name}`,
  allow: 'Give control',
  deny: 'Decline',
  askForControl: 'Ask for control',
  giveBack: 'Give control back',
  // Notices
  tookBack: (name: string) => `${name} took control back.`,
  declined: 'The agent declined your request for control.',
  nowInControl: 'You are in control: your clicks, typing and scrolling drive the shared browser.',
  asked: (name: string) => `${name} asks for control of the shared browser.`,
  gaveBack: (name: string) => `${name} gave control back.`,
  lost: 'You are no longer in control.',
  // Tabs
  tabsLabel: 'Shared browser tabs',
  tabsHeading: 'Tabs',
  // Participants
  browserName: 'Shared browser',
  browserRole: 'Browser on the server',
  customerRole: 'Customer',
  newTab: 'New tab',
  tabsNeedControl: 'Whoever is in control switches tabs.',
} as const;
