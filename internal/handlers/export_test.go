package handlers

// Unexported parts the HTTP tests (package handlers_test) compare with.

// ConvCSVHeader is the header row of the conversation list CSV.
var ConvCSVHeader = convCSVHeader
