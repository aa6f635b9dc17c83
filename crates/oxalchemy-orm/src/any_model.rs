//! `AnyModel`: a model value behind a trait object, for the code that walks
//! relationships without knowing the models' types (cascades, loaders).

use crate::mapper::Mapper;
use crate::model::Model;
use oxalchemy_core::{Result, Value};
use std::any::Any;

/// Object-safe view of any [`Model`] value.
pub trait AnyModel: Any + Send + Sync {
    /// The model's mapper.
    fn mapper(&self) -> &'static Mapper;
    /// The column values, in mapper order.
    fn to_values(&self) -> Vec<Value>;
    /// Append the primary-key values, in key order, to `out`.
    fn push_key_values(&self, out: &mut Vec<Value>);
    /// Overwrite the column fields (relationships untouched).
    fn set_values(&mut self, values: Vec<Value>) -> Result<()>;
    /// As `Any`, to downcast.
    fn as_any(&self) -> &dyn Any;
    /// As `Any`, mutably.
    fn as_any_mut(&mut self) -> &mut dyn Any;
    /// Into a boxed `Any`, to downcast by value.
    fn into_any(self: Box<Self>) -> Box<dyn Any + Send>;
    /// A boxed copy.
    fn clone_boxed(&self) -> Box<dyn AnyModel>;
    /// The value the session stores ([`Model::as_persisted`]: the variant's
    /// value for a polymorphic enum, else itself).
    fn persisted(&self) -> &dyn AnyModel;
    /// [`persisted`](Self::persisted), mutably.
    fn persisted_mut(&mut self) -> &mut dyn AnyModel;
}

impl<M: Model> AnyModel for M {
    fn mapper(&self) -> &'static Mapper {
        M::mapper()
    }
    fn to_values(&self) -> Vec<Value> {
        Model::to_values(self)
    }
    fn push_key_values(&self, out: &mut Vec<Value>) {
        Model::push_key_values(self, out)
    }
    fn set_values(&mut self, values: Vec<Value>) -> Result<()> {
        Model::set_values(self, values)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
    fn into_any(self: Box<Self>) -> Box<dyn Any + Send> {
        self
    }
    fn clone_boxed(&self) -> Box<dyn AnyModel> {
        Box::new(self.clone())
    }
    fn persisted(&self) -> &dyn AnyModel {
        Model::as_persisted(self)
    }
    fn persisted_mut(&mut self) -> &mut dyn AnyModel {
        Model::as_persisted_mut(self)
    }
}

/// Build a boxed model from column values (the derive stores this in the mapper).
pub fn boxed_from_values<M: Model>(values: Vec<Value>) -> Result<Box<dyn AnyModel>> {
    Ok(Box::new(M::from_values(values)?))
}

/// Take a boxed model back as its concrete type.
pub fn unbox_model<M: Model>(model: Box<dyn AnyModel>) -> Result<M> {
    let name = model.mapper().model;
    model.into_any().downcast::<M>().map(|b| *b).map_err(|_| {
        oxalchemy_core::Error::invalid_request(format!(
            "expected a {} but found a {name}",
            M::mapper().model
        ))
    })
}
