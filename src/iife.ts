// Script-tag build: everything here becomes a property of `window.Apptuit`.
export * from "./index";
