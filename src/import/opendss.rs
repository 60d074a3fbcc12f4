//! Running an OpenDSS script: commands, includes, objects and their properties.
//!
//! The interpreter keeps only what the grid model needs (see [`super`] for the mapping) and
//! builds the [`GridModel`] at the end with [`super::build`].

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::classes::{find_class, find_verb, Class, Verb};
use super::elements::*;
use super::files::{parse_buscoords, read_text, resolve_path, Coord};
use super::lexer::{tokenize, Token};
use super::transformer::{TransformerDef, XfmrCodeDef};
use super::{ImportError, OpenDssOptions};
use crate::model::GridModel;

/// Reads an OpenDSS master file (and its includes, then `options.extra_files`) into a
/// [`GridModel`]. See the [module documentation](super) for the mapping.
///
/// # Errors
/// Any file that cannot be read, any line OpenDSS would refuse (unknown command or class,
/// unbalanced bracket, `~` with nothing to continue), a line without `bus2`, a reference to an
/// element that does not exist, a bad bus coordinate. Each names the file and line.
pub fn import_opendss(master: &Path, options: &OpenDssOptions) -> Result<GridModel, ImportError> {
    let mut script = Script::default();
    script.run_file(master, None)?;
    for extra in &options.extra_files {
        script.run_file(extra, None)?;
    }
    super::build::build(&script, master, &options.anchor)
}

/// Nesting limit for `Redirect`/`Compile`.
const MAX_DEPTH: usize = 32;

/// Everything read so far.
#[derive(Default)]
pub(crate) struct Script {
    /// Every file read, in order; [`Loc::file`] indexes it.
    pub files: Vec<PathBuf>,
    pub circuit: Option<CircuitDef>,
    pub lib: Library,
    pub lines: Table<LineDef>,
    pub transformers: Table<TransformerDef>,
    pub loads: Table<LoadDef>,
    pub fuses: Table<ProtectionDef>,
    pub reclosers: Table<ProtectionDef>,
    pub relays: Table<ProtectionDef>,
    pub swtcontrols: Table<ProtectionDef>,
    pub reactors: Table<ReactorDef>,
    pub regcontrols: Table<RegControlDef>,
    /// Names of objects of classes without topology: (class word, name).
    pub others: HashSet<(&'static str, String)>,
    /// Bus coordinates by bus name.
    pub coords: HashMap<String, Coord>,
    /// The object `~` continues: its class, index and external id.
    active: Option<(Class, usize, String)>,
    depth: usize,
}

impl Script {
    fn path(&self, loc: Loc) -> PathBuf {
        self.files.get(loc.file).cloned().unwrap_or_default()
    }

    fn syntax(&self, loc: Loc, message: impl Into<String>) -> ImportError {
        ImportError::Syntax { file: self.path(loc), line: loc.line, message: message.into() }
    }

    /// Runs one file; `from` is the command that included it (None for the caller's files).
    pub(crate) fn run_file(&mut self, path: &Path, from: Option<Loc>) -> Result<(), ImportError> {
        if let Some(loc) = from {
            if self.depth >= MAX_DEPTH {
                return Err(ImportError::TooDeep {
                    file: self.path(loc),
                    line: loc.line,
                    max: MAX_DEPTH,
                });
            }
        }
        let text = read_text(path).map_err(|source| match from {
            Some(loc) => ImportError::Include {
                file: self.path(loc),
                line: loc.line,
                what: "Redirect target",
                target: path.to_path_buf(),
                source,
            },
            None => ImportError::Io { path: path.to_path_buf(), source },
        })?;
        self.files.push(path.to_path_buf());
        let file = self.files.len() - 1;
        self.depth += 1;
        let result = self.run_text(&text, file);
        self.depth -= 1;
        result
    }

    fn run_text(&mut self, text: &str, file: usize) -> Result<(), ImportError> {
        let mut in_block_comment = false;
        for (n, raw) in text.lines().enumerate() {
            let loc = Loc { file, line: u32::try_from(n + 1).unwrap_or(u32::MAX) };
            let trimmed = raw.trim_start();
            if in_block_comment {
                in_block_comment = !raw.contains("*/");
                continue;
            }
            if trimmed.starts_with("/*") {
                in_block_comment = !trimmed.contains("*/");
                continue;
            }
            self.command(trimmed, loc)?;
        }
        Ok(())
    }

    fn command(&mut self, line: &str, loc: Loc) -> Result<(), ImportError> {
        if let Some(rest) = line.strip_prefix('~') {
            let tokens = tokenize(rest).map_err(|e| self.syntax(loc, e.0))?;
            return self.continue_active(&tokens, loc);
        }
        let tokens = tokenize(line).map_err(|e| self.syntax(loc, e.0))?;
        let Some(first) = tokens.first() else { return Ok(()) };
        if let Some(name) = first.name {
            // `Line.X.prop=value`: a property edit without a verb.
            return self.property_edit(name, first, &tokens[1..], loc);
        }
        let unknown = || ImportError::UnknownCommand {
            file: self.path(loc),
            line: loc.line,
            verb: first.value.to_string(),
        };
        if first.wrapped.is_some() {
            return Err(unknown());
        }
        let verb = find_verb(first.value).ok_or_else(unknown)?;
        let args = &tokens[1..];
        match verb {
            Verb::New => self.new_object(args, loc),
            Verb::Edit => {
                let (class, name) = self.object_arg(args, loc, "Edit")?;
                self.activate(class, &name, loc, "edit")?;
                self.continue_active(&args[1..], loc)
            }
            Verb::More => self.continue_active(args, loc),
            Verb::Redirect => {
                let target = self.file_arg(args, loc, "Redirect")?;
                self.run_file(&target, Some(loc))
            }
            Verb::BusCoords => self.bus_coords(args, loc),
            Verb::Clear => {
                *self = Script {
                    files: std::mem::take(&mut self.files),
                    depth: self.depth,
                    ..Script::default()
                };
                Ok(())
            }
            Verb::Open | Verb::Close | Verb::Enable | Verb::Disable => {
                self.switch_command(verb, args, loc)
            }
            Verb::Ignore => Ok(()),
        }
    }

    /// The `Class.name` argument of `New`/`Edit`/`Open` (positional or `object=`).
    fn object_arg(
        &self,
        args: &[Token],
        loc: Loc,
        verb: &str,
    ) -> Result<(Class, String), ImportError> {
        let arg = args.first().filter(|t| t.name.is_none_or(|n| n.eq_ignore_ascii_case("object")));
        let Some(arg) = arg else {
            return Err(self.syntax(loc, format!("`{verb}` needs an object `Class.name`")));
        };
        self.parse_object(arg.value, loc)
    }

    fn parse_object(&self, object: &str, loc: Loc) -> Result<(Class, String), ImportError> {
        let Some((class_word, name)) = object.split_once('.') else {
            return Err(self.syntax(loc, format!("`{object}` is not `Class.name`")));
        };
        if name.is_empty() {
            return Err(self.syntax(loc, format!("`{object}` has no name")));
        }
        let class = find_class(class_word).ok_or_else(|| ImportError::UnknownClass {
            file: self.path(loc),
            line: loc.line,
            class: class_word.to_string(),
        })?;
        // The circuit's source is also `Vsource.source`.
        let class = match class {
            Class::Other("vsource") if name.eq_ignore_ascii_case("source") => Class::Circuit,
            c => c,
        };
        Ok((class, name.to_string()))
    }

    fn file_arg(&self, args: &[Token], loc: Loc, verb: &str) -> Result<PathBuf, ImportError> {
        let Some(arg) = args.first().filter(|t| !t.value.trim().is_empty()) else {
            return Err(self.syntax(loc, format!("`{verb}` needs a file name")));
        };
        let base = self.path(loc).parent().map(Path::to_path_buf).unwrap_or_default();
        Ok(resolve_path(&base, arg.value))
    }

    fn new_object(&mut self, args: &[Token], loc: Loc) -> Result<(), ImportError> {
        let (class, display) = self.object_arg(args, loc, "New")?;
        let key = display.to_lowercase();
        let names_circuit = args.first().is_some_and(|a| {
            a.value.split('.').next().is_some_and(|c| c.eq_ignore_ascii_case("circuit"))
        });
        if class == Class::Circuit && !names_circuit {
            // `New Vsource.source` redefines the circuit's source: an edit, not a new circuit.
            self.activate(class, &display, loc, "New")?;
            return self.continue_active(&args[1..], loc);
        }
        if class != Class::Circuit && !class.is_general() && self.circuit.is_none() {
            return Err(ImportError::NoCircuit { file: self.path(loc), line: loc.line });
        }
        let index = match class {
            Class::Circuit => {
                if self.circuit.is_some() {
                    self.reset_circuit_elements();
                }
                self.circuit = Some(CircuitDef {
                    name: display.clone(),
                    bus1: "SourceBus".into(),
                    basekv: None,
                });
                0
            }
            Class::Line => self.lines.insert(key.clone(), LineDef::new(display.clone(), loc)),
            Class::Transformer => {
                self.transformers.insert(key.clone(), TransformerDef::new(display.clone(), loc))
            }
            Class::XfmrCode => self.lib.xfmrcodes.insert(key.clone(), XfmrCodeDef::default()),
            Class::LineCode => self.lib.linecodes.insert(key.clone(), LineCodeDef::default()),
            Class::Load => self.loads.insert(key.clone(), LoadDef::new(display.clone(), loc)),
            Class::Fuse => self.fuses.insert(key.clone(), ProtectionDef::new(display.clone(), loc)),
            Class::Recloser => {
                self.reclosers.insert(key.clone(), ProtectionDef::new(display.clone(), loc))
            }
            Class::Relay => {
                self.relays.insert(key.clone(), ProtectionDef::new(display.clone(), loc))
            }
            Class::SwtControl => {
                self.swtcontrols.insert(key.clone(), ProtectionDef::new(display.clone(), loc))
            }
            Class::Reactor => {
                self.reactors.insert(key.clone(), ReactorDef::new(display.clone(), loc))
            }
            Class::RegControl => {
                self.regcontrols.insert(key.clone(), RegControlDef { loc, transformer: None })
            }
            Class::Other(word) => {
                self.others.insert((word, key.clone()));
                0
            }
        };
        self.active = Some((class, index, format!("{}.{key}", class.word())));
        self.continue_active(&args[1..], loc)
    }

    /// `New Circuit` starts a new circuit: the circuit elements of the previous one go.
    fn reset_circuit_elements(&mut self) {
        let keep = Script {
            files: std::mem::take(&mut self.files),
            lib: std::mem::take(&mut self.lib),
            depth: self.depth,
            ..Script::default()
        };
        let others = std::mem::take(&mut self.others);
        *self = keep;
        self.others = others.into_iter().filter(|(c, _)| Class::Other(c).is_general()).collect();
    }

    fn index_of(&self, class: Class, key: &str) -> Option<usize> {
        let found = match class {
            Class::Circuit => return self.circuit.as_ref().map(|_| 0),
            Class::Line => self.lines.index.get(key),
            Class::Transformer => self.transformers.index.get(key),
            Class::XfmrCode => self.lib.xfmrcodes.index.get(key),
            Class::LineCode => self.lib.linecodes.index.get(key),
            Class::Load => self.loads.index.get(key),
            Class::Fuse => self.fuses.index.get(key),
            Class::Recloser => self.reclosers.index.get(key),
            Class::Relay => self.relays.index.get(key),
            Class::SwtControl => self.swtcontrols.index.get(key),
            Class::Reactor => self.reactors.index.get(key),
            Class::RegControl => self.regcontrols.index.get(key),
            Class::Other(word) => {
                return self.others.contains(&(word, key.to_string())).then_some(0)
            }
        };
        found.copied()
    }

    /// Makes an existing object the active one, or names it as unknown.
    fn activate(
        &mut self,
        class: Class,
        name: &str,
        loc: Loc,
        verb: &str,
    ) -> Result<usize, ImportError> {
        let key = name.to_lowercase();
        let id = format!("{}.{key}", class.word());
        let Some(index) = self.index_of(class, &key) else {
            return Err(ImportError::UnknownElement {
                file: self.path(loc),
                line: loc.line,
                element: verb.into(),
                target: id,
            });
        };
        self.active = Some((class, index, id));
        Ok(index)
    }

    fn property_edit(
        &mut self,
        name: &str,
        first: &Token,
        rest: &[Token],
        loc: Loc,
    ) -> Result<(), ImportError> {
        let parts = name.split_once('.').and_then(|(class, rest)| {
            let (object, prop) = rest.rsplit_once('.')?;
            Some((format!("{class}.{object}"), prop))
        });
        let Some((object, prop)) = parts.filter(|(_, p)| !p.is_empty()) else {
            return Err(ImportError::UnknownCommand {
                file: self.path(loc),
                line: loc.line,
                verb: name.to_string(),
            });
        };
        let (class, obj_name) = self.parse_object(&object, loc)?;
        self.activate(class, &obj_name, loc, "property edit")?;
        let mut tokens =
            vec![Token { name: Some(prop), value: first.value, wrapped: first.wrapped }];
        tokens.extend(rest.iter().cloned());
        self.continue_active(&tokens, loc)
    }

    /// Applies properties (named or positional) to the active object.
    fn continue_active(&mut self, tokens: &[Token], loc: Loc) -> Result<(), ImportError> {
        let Some((class, index, id)) = self.active.clone() else {
            return Err(ImportError::NoActiveElement { file: self.path(loc), line: loc.line });
        };
        let props = class.properties();
        let mut pointer: Option<usize> = None;
        let mut lost = false;
        let mut assignments: Vec<(&'static str, &str)> = Vec::new();
        for t in tokens {
            let index = match t.name {
                Some(n) => class.property_index(n),
                None if lost => None,
                None => Some(pointer.map_or(0, |p| p + 1)),
            };
            lost = index.is_none();
            pointer = index;
            if let Some(prop) = index.and_then(|i| props.get(i)) {
                assignments.push((prop, t.value));
            }
        }
        if assignments.is_empty() {
            return Ok(());
        }
        let result = self.assign(class, index, &assignments);
        result.map_err(|(prop, value, err)| match err {
            PropError::BadValue => ImportError::BadValue {
                file: self.path(loc),
                line: loc.line,
                element: id,
                property: prop.to_string(),
                value: value.to_string(),
            },
            PropError::Unknown(target) => ImportError::UnknownElement {
                file: self.path(loc),
                line: loc.line,
                element: id,
                target,
            },
        })
    }

    fn assign<'v>(
        &mut self,
        class: Class,
        index: usize,
        assignments: &[(&'static str, &'v str)],
    ) -> Result<(), (&'static str, &'v str, PropError)> {
        let each = |f: &mut dyn FnMut(&'static str, &'v str) -> Result<(), PropError>| {
            assignments.iter().try_for_each(|&(p, v)| f(p, v).map_err(|e| (p, v, e)))
        };
        let lib = &self.lib;
        match class {
            Class::Circuit => match self.circuit.as_mut() {
                Some(c) => each(&mut |p, v| c.apply(p, v)),
                None => Ok(()),
            },
            Class::Line => {
                edit(&mut self.lines, index, |d, t| each(&mut |p, v| d.apply(p, v, lib, t)))
            }
            Class::Transformer => {
                edit(&mut self.transformers, index, |d, t| each(&mut |p, v| d.apply(p, v, lib, t)))
            }
            Class::Load => edit(&mut self.loads, index, |d, t| each(&mut |p, v| d.apply(p, v, t))),
            Class::Fuse => edit(&mut self.fuses, index, |d, t| each(&mut |p, v| d.apply(p, v, t))),
            Class::Recloser => {
                edit(&mut self.reclosers, index, |d, t| each(&mut |p, v| d.apply(p, v, t)))
            }
            Class::Relay => {
                edit(&mut self.relays, index, |d, t| each(&mut |p, v| d.apply(p, v, t)))
            }
            Class::SwtControl => {
                edit(&mut self.swtcontrols, index, |d, t| each(&mut |p, v| d.apply(p, v, t)))
            }
            Class::Reactor => {
                edit(&mut self.reactors, index, |d, t| each(&mut |p, v| d.apply(p, v, t)))
            }
            Class::RegControl => {
                edit(&mut self.regcontrols, index, |d, t| each(&mut |p, v| d.apply(p, v, t)))
            }
            Class::LineCode => {
                let mut d = self.lib.linecodes.items.get(index).cloned().unwrap_or_default();
                let r = each(&mut |p, v| d.apply(p, v, &self.lib));
                if let Some(slot) = self.lib.linecodes.items.get_mut(index) {
                    *slot = d;
                }
                r
            }
            Class::XfmrCode => {
                let mut d = self.lib.xfmrcodes.items.get(index).cloned().unwrap_or_default();
                let r = each(&mut |p, v| d.apply(p, v, &self.lib));
                if let Some(slot) = self.lib.xfmrcodes.items.get_mut(index) {
                    *slot = d;
                }
                r
            }
            Class::Other(_) => Ok(()),
        }
    }

    /// `Open`/`Close`/`Enable`/`Disable <Class.name>`: only lines (and reactors) are affected.
    fn switch_command(&mut self, verb: Verb, args: &[Token], loc: Loc) -> Result<(), ImportError> {
        let word = match verb {
            Verb::Open => "Open",
            Verb::Close => "Close",
            Verb::Enable => "Enable",
            _ => "Disable",
        };
        let (class, name) = self.object_arg(args, loc, word)?;
        if name == "*" {
            return Ok(());
        }
        let index = self.activate(class, &name, loc, word)?;
        match (class, verb) {
            (Class::Line, Verb::Open | Verb::Close) => {
                if let Some(l) = self.lines.items.get_mut(index) {
                    l.opened = verb == Verb::Open;
                }
            }
            (Class::Line, _) => {
                if let Some(l) = self.lines.items.get_mut(index) {
                    l.enabled = verb == Verb::Enable;
                }
            }
            (Class::Reactor, Verb::Enable | Verb::Disable) => {
                if let Some(r) = self.reactors.items.get_mut(index) {
                    r.enabled = verb == Verb::Enable;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn bus_coords(&mut self, args: &[Token], loc: Loc) -> Result<(), ImportError> {
        let target = self.file_arg(args, loc, "Buscoords")?;
        let text = read_text(&target).map_err(|source| ImportError::Include {
            file: self.path(loc),
            line: loc.line,
            what: "bus coordinates file",
            target: target.clone(),
            source,
        })?;
        self.files.push(target.clone());
        let file = self.files.len() - 1;
        parse_buscoords(&text, file, &mut self.coords).map_err(|row| ImportError::BadCoordinate {
            file: target,
            line: row.line,
            bus: row.bus,
            message: row.message,
        })
    }
}

/// Edits `table.items[index]` through `f`, which also sees the table (for `like=`).
fn edit<T: Clone, E>(
    table: &mut Table<T>,
    index: usize,
    f: impl FnOnce(&mut T, &Table<T>) -> Result<(), E>,
) -> Result<(), E> {
    let Some(mut item) = table.items.get(index).cloned() else { return Ok(()) };
    let result = f(&mut item, table);
    if let Some(slot) = table.items.get_mut(index) {
        *slot = item;
    }
    result
}
