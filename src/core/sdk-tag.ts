/**
 * The `sdk` tag on the SDK's own points (the registry's and the reporter's meta metrics):
 * OpenTSDB wants at least one tag, and a page may have neither reporter nor global tags.
 */
export const SDK_TAG = { sdk: "apptuit-js" } as const;
