//! Why an OpenDSS import failed: every variant names the file and, where it applies, the 1-based
//! line, the element and the property.

use std::path::PathBuf;

/// An OpenDSS import error.
#[derive(thiserror::Error, Debug)]
pub enum ImportError {
    /// A file given by the caller (the master or an extra file) could not be read.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A file named by a command (`Redirect`, `Compile`, `Buscoords`) could not be read.
    #[error("{}:{line}: cannot read the {what} {}: {source}", .file.display(), .target.display())]
    Include {
        /// The file holding the command.
        file: PathBuf,
        /// Its line.
        line: u32,
        /// `Redirect target` or `bus coordinates file`.
        what: &'static str,
        /// The file named, resolved against the including file's folder.
        target: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// `Redirect` nested too deep (a file that includes itself).
    #[error("{}:{line}: files nested more than {max} deep (does a file redirect to itself?)", .file.display())]
    TooDeep {
        /// The file holding the command.
        file: PathBuf,
        /// Its line.
        line: u32,
        /// The nesting limit.
        max: usize,
    },
    /// A line that cannot be split into tokens (an unbalanced bracket or quote) or a command
    /// missing its argument.
    #[error("{}:{line}: {message}", .file.display())]
    Syntax {
        /// The file.
        file: PathBuf,
        /// The line.
        line: u32,
        /// What is wrong.
        message: String,
    },
    /// A command OpenDSS does not have.
    #[error("{}:{line}: unknown command `{verb}`", .file.display())]
    UnknownCommand {
        /// The file.
        file: PathBuf,
        /// The line.
        line: u32,
        /// The command word.
        verb: String,
    },
    /// `New X.name` with a class the importer does not know.
    #[error("{}:{line}: unknown class `{class}`", .file.display())]
    UnknownClass {
        /// The file.
        file: PathBuf,
        /// The line.
        line: u32,
        /// The class word.
        class: String,
    },
    /// `~` or `More` with no object defined before it.
    #[error("{}:{line}: `~`/`More` continues no object (no `New` or `Edit` before it)", .file.display())]
    NoActiveElement {
        /// The file.
        file: PathBuf,
        /// The line.
        line: u32,
    },
    /// A circuit element defined before `New Circuit`, or a model with no circuit at all.
    #[error("{}:{line}: no circuit: `New Circuit.<name>` must come first", .file.display())]
    NoCircuit {
        /// The file.
        file: PathBuf,
        /// The line (0 when the whole script defined no circuit).
        line: u32,
    },
    /// A required property is missing (a line without `bus2`).
    #[error("{}:{line}: {element}: `{property}` is missing", .file.display())]
    MissingProperty {
        /// The file defining the element.
        file: PathBuf,
        /// The line of its `New` command.
        line: u32,
        /// The element (`line.l1`).
        element: String,
        /// The property.
        property: &'static str,
    },
    /// A property value that does not parse or is out of range.
    #[error("{}:{line}: {element}: `{property}={value}` is not a valid value", .file.display())]
    BadValue {
        /// The file.
        file: PathBuf,
        /// The line.
        line: u32,
        /// The element.
        element: String,
        /// The property.
        property: String,
        /// The value given.
        value: String,
    },
    /// A reference to an element that does not exist (`Edit`, `like=`, `MonitoredObj=`…).
    #[error("{}:{line}: {element}: refers to unknown element `{target}`", .file.display())]
    UnknownElement {
        /// The file.
        file: PathBuf,
        /// The line.
        line: u32,
        /// The element holding the reference (or the command).
        element: String,
        /// The missing element.
        target: String,
    },
    /// A bad row in a bus coordinates file, or a position outside WGS84 after conversion.
    #[error("{}:{line}: bus coordinates of `{bus}`: {message}", .file.display())]
    BadCoordinate {
        /// The coordinates file.
        file: PathBuf,
        /// The line.
        line: u32,
        /// The bus (or the row's first field).
        bus: String,
        /// What is wrong.
        message: String,
    },
}
