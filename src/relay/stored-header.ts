/**
 * The header of the relay's 400 for an upstream rejection that says how many of the
 * request's points were stored (its JSON body says it too, as `success`). A page reads the
 * header, not the body: no bounded body reader in the page script. Exposed over CORS.
 */
export const STORED_HEADER = "Apptuit-Stored";
